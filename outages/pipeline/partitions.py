"""Reports and minute buckets in daily partitions, made ahead and dropped
after their retention.

Both tables are partitioned by range of their time (PostgreSQL's declarative
partitioning), one partition per UTC day, and a default partition that takes
a row for a day with none (a clock far off, a test in another year), so a
write never fails for want of one. A periodic task (`maintain`) makes the
next days' partitions, moving into a new partition whatever the default
already holds of its day, and drops the partitions past their retention:
`REPORTS_RETENTION_DAYS` for reports, `MINUTE_BUCKETS_RETENTION_DAYS` for
minute buckets, whose hours are first rolled up (`rollups.py`) and never
dropped before they are. Dropping a partition is instant and leaves no dead
rows behind, where deleting old rows would rewrite the table.
"""

import logging
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from django.conf import settings
from django.db import OperationalError, connection, transaction
from django.utils import timezone

log = logging.getLogger(__name__)

DAY = timedelta(days=1)
# Partitions made ahead of today, so midnight never waits for the task.
AHEAD_DAYS = 3
LOCK_TIMEOUT_SECONDS = 3


@dataclass(frozen=True)
class Table:
    name: str
    column: str  # the time it is partitioned by

    def retention_days(self) -> int:
        return {
            "reports_report": settings.REPORTS_RETENTION_DAYS,
            "outages_bucket": settings.MINUTE_BUCKETS_RETENTION_DAYS,
        }[self.name]


REPORTS = Table("reports_report", "created_at")
MINUTE_BUCKETS = Table("outages_bucket", "minute")
TABLES = (REPORTS, MINUTE_BUCKETS)


@dataclass(frozen=True)
class Maintained:
    made: list[str]
    dropped: list[str]


def name_of(table: Table, day: date) -> str:
    return f"{table.name}_p{day:%Y%m%d}"


def days_of(table: Table) -> list[date]:
    """The days that have a partition of their own, oldest first."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT c.relname FROM pg_inherits i
            JOIN pg_class c ON c.oid = i.inhrelid
            JOIN pg_class p ON p.oid = i.inhparent
            WHERE p.relname = %s
            """,
            [table.name],
        )
        names = [row[0] for row in cursor.fetchall()]
    prefix = f"{table.name}_p"
    return sorted(
        date.fromisoformat(n[len(prefix) :]) for n in names if n.startswith(prefix)
    )


def ensure(table: Table, day: date) -> bool:
    """Give `day` a partition of its own (True if it was made now).

    Rows the default partition holds for the day are moved into it in the
    same transaction: PostgreSQL refuses a partition whose rows sit in the
    default one.
    """
    name = name_of(table, day)
    start = datetime.combine(day, datetime.min.time(), tzinfo=UTC)
    end = start + DAY
    with transaction.atomic(), connection.cursor() as cursor:
        # One maker at a time.
        cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [table.name])
        cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [name])
        if cursor.fetchone()[0]:
            return False
        _briefly(cursor)
        default = f"{table.name}_default"
        cursor.execute(
            f"CREATE TABLE {name} (LIKE {table.name} INCLUDING DEFAULTS"
            " INCLUDING CONSTRAINTS)"
        )
        # No row of the day may reach the default partition while its rows
        # move out (the attach would fail on it).
        cursor.execute(f"LOCK TABLE {default} IN SHARE ROW EXCLUSIVE MODE")
        cursor.execute(
            f"WITH moved AS (DELETE FROM {default} WHERE {table.column} >= %s"
            f" AND {table.column} < %s RETURNING *)"
            f" INSERT INTO {name} SELECT * FROM moved",
            [start, end],
        )
        cursor.execute(
            f"ALTER TABLE {table.name} ATTACH PARTITION {name}"
            " FOR VALUES FROM (%s) TO (%s)",
            [start, end],
        )
    return True


def drop_before(table: Table, day: date) -> list[str]:
    """Drop the partitions of the days before `day`, and the default
    partition's rows from then."""
    dropped = []
    for old in days_of(table):
        if old >= day:
            break
        name = name_of(table, old)
        with transaction.atomic(), connection.cursor() as cursor:
            _briefly(cursor)
            cursor.execute(f"ALTER TABLE {table.name} DETACH PARTITION {name}")
            cursor.execute(f"DROP TABLE {name}")
        dropped.append(name)
    cutoff = datetime.combine(day, datetime.min.time(), tzinfo=UTC)
    with connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {table.name}_default WHERE {table.column} < %s", [cutoff]
        )
    return dropped


def _briefly(cursor) -> None:
    """Attaching and detaching lock the table against its writers and
    readers, after waiting for the transactions under way (a detection
    cycle reads the buckets for seconds): give up rather than hold every
    one of them up behind the wait; the next run tries again."""
    cursor.execute(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT_SECONDS}s'")


def maintain(now: datetime | None = None) -> Maintained:
    """Make the partitions of today and the next days; drop those past
    their retention (minute buckets only once their hours are rolled up)."""
    from outages.pipeline import rollups

    today = (now or timezone.now()).astimezone(UTC).date()
    made, dropped = [], []
    for table in TABLES:
        try:
            for ahead in range(AHEAD_DAYS + 1):
                day = today + ahead * DAY
                if ensure(table, day):
                    made.append(name_of(table, day))
            keep_from = today - table.retention_days() * DAY
            if table is MINUTE_BUCKETS:
                rolled = rollups.rolled_until()
                keep_from = min(keep_from, rolled.date() if rolled else date.min)
            dropped += drop_before(table, keep_from)
        except OperationalError:
            # A lock not had in time (lock_timeout): the next run tries again,
            # days ahead of the one that needs it.
            log.warning("Partitions of %s not maintained this time", table.name)
    return Maintained(made, dropped)


def partitioned(cursor, table: Table, constraints: list[str]) -> None:
    """Turn `table` into a partitioned one with the same rows (a migration).

    Its primary key becomes (id, time), as PostgreSQL asks of a partitioned
    table's unique keys; ids still come from one sequence, so each stays
    unique. `constraints` are the statements that remake its keys, indexes
    and foreign keys on the new table. The table is locked while its rows
    are copied, once.
    """
    t, column = table.name, table.column
    cursor.execute(f"ALTER TABLE {t} RENAME TO {t}_unpartitioned")
    cursor.execute(f"ALTER SEQUENCE {t}_id_seq RENAME TO {t}_id_seq_unpartitioned")
    cursor.execute(
        f"CREATE TABLE {t} (LIKE {t}_unpartitioned INCLUDING DEFAULTS"
        f" INCLUDING CONSTRAINTS) PARTITION BY RANGE ({column})"
    )
    cursor.execute(f"CREATE SEQUENCE {t}_id_seq OWNED BY {t}.id")
    cursor.execute(
        f"SELECT setval('{t}_id_seq', coalesce(max(id), 0) + 1, false)"
        f" FROM {t}_unpartitioned"
    )
    cursor.execute(f"ALTER TABLE {t} ALTER COLUMN id SET DEFAULT nextval('{t}_id_seq')")
    cursor.execute(f"CREATE TABLE {t}_default PARTITION OF {t} DEFAULT")
    cursor.execute(
        f"SELECT DISTINCT ({column} AT TIME ZONE 'UTC')::date FROM {t}_unpartitioned"
    )
    # Days within the retention get partitions; older rows wait in the
    # default one until retention removes them (a long history would need
    # thousands of partitions made, and locked, in this one transaction).
    today = timezone.now().astimezone(UTC).date()
    oldest = today - table.retention_days() * DAY
    days = {row[0] for row in cursor.fetchall() if row[0] >= oldest}
    days |= {today + n * DAY for n in range(AHEAD_DAYS + 1)}
    for day in sorted(days):
        start = datetime.combine(day, datetime.min.time(), tzinfo=UTC)
        cursor.execute(
            f"CREATE TABLE {name_of(table, day)} PARTITION OF {t}"
            " FOR VALUES FROM (%s) TO (%s)",
            [start, start + DAY],
        )
    cursor.execute(f"INSERT INTO {t} SELECT * FROM {t}_unpartitioned")
    # Its keys and indexes keep their names, which the old table's held.
    cursor.execute(f"DROP TABLE {t}_unpartitioned")
    for statement in constraints:
        cursor.execute(statement)

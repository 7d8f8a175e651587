"""Moving the intake log into PostgreSQL, exactly once, and counting it.

Each pass locks the intake cursor, reads the log entries after it, and in one
statement stores them as reports, adds them to the buckets of their service,
symptom and UTC minute at three levels (first-level subdivision, country,
worldwide) and advances the cursor, all in one transaction. Only after the
commit are the entries trimmed from the log. A pass that dies before its
commit moves nothing; one that dies after it leaves entries the next pass
skips (they are at or below the cursor) and trims. Two passes never move the
same entries: the second waits for the first's lock, then reads after its
cursor.
"""

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from config import redis
from reports import log

CURSOR = "intake"

MOVE_SQL = """WITH entries AS (
    SELECT * FROM unnest(
        %(ids)s::varchar[], %(services)s::bigint[], %(symptoms)s::bigint[],
        %(countries)s::varchar[], %(subdivisions)s::varchar[],
        %(reporters)s::varchar[], %(networks)s::varchar[], %(blocks)s::varchar[],
        %(counted)s::boolean[], %(sources)s::varchar[], %(times)s::timestamptz[]
    ) AS e(intake_id, service_id, symptom_id, country_id, subdivision_id,
           reporter, network, block, counted, source, created_at)
),
stored AS (
    INSERT INTO reports_report (
        intake_id, service_id, symptom_id, country_id, subdivision_id,
        reporter, network, block, counted, source, created_at
    )
    SELECT * FROM entries
    ON CONFLICT (intake_id, created_at) WHERE intake_id IS NOT NULL DO NOTHING
    RETURNING service_id, symptom_id, country_id, subdivision_id, counted,
              date_trunc('minute', created_at, 'UTC') AS minute
),
levels AS (
    SELECT service_id, '' AS region, symptom_id, minute, counted
    FROM stored
    UNION ALL
    SELECT service_id, country_id, symptom_id, minute, counted
    FROM stored WHERE country_id IS NOT NULL
    UNION ALL
    SELECT service_id, subdivision_id, symptom_id, minute, counted
    FROM stored WHERE subdivision_id IS NOT NULL
),
added AS (
    INSERT INTO outages_bucket AS b
        (service_id, region, symptom_id, minute, reports, reporters)
    SELECT service_id, region, symptom_id, minute,
           count(*), count(*) FILTER (WHERE counted)
    FROM levels
    GROUP BY service_id, region, symptom_id, minute
    -- One lock order for every pass, so concurrent passes cannot deadlock.
    ORDER BY service_id, region, symptom_id, minute
    ON CONFLICT (service_id, region, symptom_id, minute) DO UPDATE
    SET reports = b.reports + EXCLUDED.reports,
        reporters = b.reporters + EXCLUDED.reporters
    RETURNING 1
),
moved AS (
    UPDATE reports_intakecursor SET last_id = %(last)s, moved_at = now()
    WHERE name = %(cursor)s
)
SELECT (SELECT count(*) FROM stored), (SELECT count(*) FROM added)
"""


@dataclass(frozen=True)
class Pass:
    reports: int
    buckets: int


def _locked_cursor(cursor) -> str:
    cursor.execute(
        "INSERT INTO reports_intakecursor (name, last_id) VALUES (%s, '0-0') "
        "ON CONFLICT DO NOTHING",
        [CURSOR],
    )
    cursor.execute(
        "SELECT last_id FROM reports_intakecursor WHERE name = %s FOR UPDATE",
        [CURSOR],
    )
    return cursor.fetchone()[0]


COLUMNS = (
    "ids",
    "services",
    "symptoms",
    "countries",
    "subdivisions",
    "reporters",
    "networks",
    "blocks",
    "counted",
    "sources",
    "times",
)


def _read(client, last: str, limit: int) -> tuple[list, int]:
    """The entries after `last` holding about `limit` reports (at least one
    entry), and how many reports they hold.

    An entry holds one report or a whole batch, so the log is read in pages
    sized by what the entries so far held.
    """
    entries, reports, page = [], 0, 16
    while reports < limit:
        found = client.xrange(log.STREAM, min=f"({last}", count=page)
        for entry in found:
            entries.append(entry)
            reports += int(entry[1].get(b"k", 1))
            if reports >= limit:
                return entries, reports
        if len(found) < page:
            break
        last = found[-1][0].decode()
        page = min(512, max(1, (limit - reports) * len(entries) // reports))
    return entries, reports


def _columns(entries) -> dict[str, list]:
    columns = {name: [] for name in COLUMNS}
    for entry_id, fields in entries:
        source, time = fields[b"o"].decode(), fields[b"t"].decode()
        for id_, s, y, c, d, r, w, b, counted in log.unpack(entry_id.decode(), fields):
            columns["ids"].append(id_)
            columns["services"].append(int(s))
            columns["symptoms"].append(int(y))
            columns["countries"].append(c or None)
            columns["subdivisions"].append(d or None)
            columns["reporters"].append(r)
            columns["networks"].append(w)
            columns["blocks"].append(b)
            columns["counted"].append(counted)
            columns["sources"].append(source)
            columns["times"].append(time)
    return columns


def move_batch(limit: int, trim: bool = True) -> Pass:
    """Move the log entries holding about `limit` reports; `trim=False`
    leaves them in the log (as a pass that died right after its commit
    would)."""
    client = redis.client()
    with transaction.atomic(), connection.cursor() as cursor:
        last = _locked_cursor(cursor)
        # Whatever an earlier pass committed but did not trim goes first.
        if last != "0-0":
            log.trim(last)
        entries, held = _read(client, last, limit)
        if not entries:
            return Pass(0, 0)
        params = _columns(entries)
        moved_to = entries[-1][0].decode()
        params.update(last=moved_to, cursor=CURSOR)
        cursor.execute(MOVE_SQL, params)
        reports, buckets = cursor.fetchone()
    if trim:
        log.trim(moved_to, held)
    return Pass(reports, buckets)


def bucket_new_reports(limit: int | None = None, max_seconds: float = 20.0) -> Pass:
    """Move the log in batches until it is empty (or time is up)."""
    limit = limit or settings.BUCKETING_BATCH_SIZE
    deadline = timezone.now() + timedelta(seconds=max_seconds)
    reports = buckets = 0
    while True:
        done = move_batch(limit)
        reports += done.reports
        buckets += done.buckets
        if done.reports < limit or timezone.now() > deadline:
            return Pass(reports, buckets)


def bucketing_lag() -> timedelta:
    """How long the oldest report still in the intake log has waited."""
    return lag_of(log.backlog())


def lag_of(backlog: log.Backlog) -> timedelta:
    oldest = backlog.oldest
    return max(timezone.now() - oldest, timedelta(0)) if oldest else timedelta(0)

"""The write path's one SQL statement: reports and their queue entries.

A report and its bucketing-queue entry are written by a single statement
(two data-modifying CTEs), which PostgreSQL runs atomically and commits on
its own: one round trip instead of BEGIN, two INSERTs and COMMIT, on the
path every report takes. A batch of a thousand goes as arrays; one report as
plain values, which psycopg adapts for a fraction of the CPU that seven
one-element arrays cost.
"""

from dataclasses import dataclass
from datetime import datetime

import psycopg
from django.db import connection

INSERT_ONE_SQL = """
WITH report AS (
    INSERT INTO reports_report (
        service_id, symptom_id, country_id, subdivision_id,
        reporter, counted, idempotency_key, source, created_at
    )
    VALUES (
        %(service_id)s, %(symptom_id)s, %(country)s, %(subdivision)s,
        %(reporter)s, %(counted)s, %(key)s, %(source)s, %(now)s
    )
    RETURNING id
),
queued AS (
    INSERT INTO reports_pendingreport (report_id, created_at)
    SELECT id, %(now)s FROM report
)
SELECT id FROM report
"""

INSERT_MANY_SQL = """
WITH report AS (
    INSERT INTO reports_report (
        service_id, symptom_id, country_id, subdivision_id,
        reporter, counted, idempotency_key, source, created_at
    )
    SELECT service_id, symptom_id, country_id, subdivision_id,
           reporter, counted, idempotency_key, %(source)s, %(now)s
    FROM unnest(
        %(service_ids)s::bigint[], %(symptom_ids)s::bigint[],
        %(countries)s::varchar[], %(subdivisions)s::varchar[],
        %(reporters)s::varchar[], %(counted)s::boolean[], %(keys)s::varchar[]
    ) AS r(service_id, symptom_id, country_id, subdivision_id,
           reporter, counted, idempotency_key)
    RETURNING id
),
queued AS (
    INSERT INTO reports_pendingreport (report_id, created_at)
    SELECT id, %(now)s FROM report
)
SELECT id FROM report
"""


@dataclass(frozen=True)
class Row:
    service_id: int
    symptom_id: int
    country: str | None
    subdivision: str | None
    reporter: str
    counted: bool
    idempotency_key: str | None = None


def insert_report(row: Row, source: str, now: datetime) -> int:
    """Store one report and queue it for bucketing; its id.

    Committed when it returns (autocommit), or raises a DatabaseError having
    stored nothing.
    """
    params = {
        "source": source,
        "now": now,
        "service_id": row.service_id,
        "symptom_id": row.symptom_id,
        "country": row.country,
        "subdivision": row.subdivision,
        "reporter": row.reporter,
        "counted": row.counted,
        "key": row.idempotency_key,
    }
    # Prepared once per connection: PostgreSQL then skips parsing and planning
    # the statement every report runs. Django's own cursors bind on the client
    # and cannot prepare, so this one statement takes a server-binding cursor
    # on Django's connection.
    connection.ensure_connection()
    with (
        connection.wrap_database_errors,
        psycopg.Cursor(connection.connection) as cursor,
    ):
        cursor.execute(INSERT_ONE_SQL, params, prepare=True)
        return cursor.fetchone()[0]


def insert_reports(rows: list[Row], source: str, now: datetime) -> list[int]:
    """Store the rows and queue them for bucketing; their ids, in order.

    Committed when it returns (autocommit), or raises a DatabaseError having
    stored nothing.
    """
    params = {
        "source": source,
        "now": now,
        "service_ids": [r.service_id for r in rows],
        "symptom_ids": [r.symptom_id for r in rows],
        "countries": [r.country for r in rows],
        "subdivisions": [r.subdivision for r in rows],
        "reporters": [r.reporter for r in rows],
        "counted": [r.counted for r in rows],
        "keys": [r.idempotency_key for r in rows],
    }
    with connection.cursor() as cursor:
        cursor.execute(INSERT_MANY_SQL, params)
        return [id_ for (id_,) in cursor.fetchall()]

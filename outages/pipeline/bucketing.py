"""Folding stored reports into per-minute counts.

Each pass claims a batch of queued reports (deleting them from the queue) and
adds them to the buckets of their service, symptom and UTC minute at three
levels: first-level subdivision, country and worldwide. Claim and counts are
one statement in one transaction, so a pass that dies leaves its reports
queued for the next, and no report is ever added twice. Concurrent passes
skip each other's claimed rows instead of waiting.
"""

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from reports.models import PendingReport

BUCKET_SQL = """
WITH claimed AS (
    DELETE FROM reports_pendingreport
    WHERE report_id IN (
        SELECT report_id FROM reports_pendingreport
        ORDER BY report_id
        LIMIT %(limit)s
        FOR UPDATE SKIP LOCKED
    )
    RETURNING report_id
),
claimed_reports AS (
    SELECT r.service_id, r.symptom_id, r.country_id, r.subdivision_id, r.counted,
           date_trunc('minute', r.created_at, 'UTC') AS minute
    FROM reports_report r
    JOIN claimed c ON c.report_id = r.id
),
levels AS (
    SELECT service_id, '' AS region, symptom_id, minute, counted
    FROM claimed_reports
    UNION ALL
    SELECT service_id, country_id, symptom_id, minute, counted
    FROM claimed_reports WHERE country_id IS NOT NULL
    UNION ALL
    SELECT service_id, subdivision_id, symptom_id, minute, counted
    FROM claimed_reports WHERE subdivision_id IS NOT NULL
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
)
SELECT (SELECT count(*) FROM claimed), (SELECT count(*) FROM added)
"""


@dataclass(frozen=True)
class Pass:
    reports: int
    buckets: int


def bucket_batch(limit: int) -> Pass:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(BUCKET_SQL, {"limit": limit})
        reports, buckets = cursor.fetchone()
    return Pass(reports, buckets)


def bucket_new_reports(limit: int | None = None, max_seconds: float = 20.0) -> Pass:
    """Count queued reports in batches until the queue is empty (or time is up)."""
    limit = limit or settings.BUCKETING_BATCH_SIZE
    deadline = timezone.now() + timedelta(seconds=max_seconds)
    reports = buckets = 0
    while True:
        done = bucket_batch(limit)
        reports += done.reports
        buckets += done.buckets
        if done.reports < limit or timezone.now() > deadline:
            return Pass(reports, buckets)


def bucketing_lag() -> timedelta:
    """How long the oldest report still waiting to be counted has waited."""
    oldest = (
        PendingReport.objects.order_by("report_id")
        .values_list("created_at", flat=True)
        .first()
    )
    return timezone.now() - oldest if oldest else timedelta(0)

"""Minute buckets summed into hourly ones, which outlive them.

Every few minutes the complete hours since the last roll-up are summed from
the minute buckets into `HourBucket`. An hour is complete once it is over
and no report of it can still be waiting in the intake log: the roll-up
stops at the hour of the oldest report bucketing has not moved yet, so a
backlog (PostgreSQL away for a while) is rolled up once it is counted. The
daily minute partitions are dropped only behind the roll-up
(`partitions.maintain`), so their counts survive as hours.
"""

from datetime import datetime, timedelta

from django.db import connection, transaction
from django.utils import timezone

from outages.models import Rollup
from reports import log

HOUR = timedelta(hours=1)
IN_FLIGHT = timedelta(minutes=2)
CURSOR = "hours"
# Hours summed per transaction, so a first roll-up of a long history is
# done in steps.
STEP_HOURS = 24

ROLL_UP_SQL = """
INSERT INTO outages_hourbucket AS h
    (service_id, region, symptom_id, hour, reports, reporters)
SELECT service_id, region, symptom_id, date_trunc('hour', minute, 'UTC'),
       sum(reports), sum(reporters)
FROM outages_bucket
WHERE minute >= %s AND minute < %s
GROUP BY 1, 2, 3, 4
ON CONFLICT (service_id, region, symptom_id, hour) DO UPDATE
SET reports = EXCLUDED.reports, reporters = EXCLUDED.reporters
"""


def _hour(moment: datetime) -> datetime:
    return moment.replace(minute=0, second=0, microsecond=0)


def rolled_until() -> datetime | None:
    """Every hour before this one is rolled up (None: none yet)."""
    return Rollup.objects.filter(name=CURSOR).values_list("until", flat=True).first()


def complete_before(now: datetime | None = None) -> datetime:
    """The hours before this one are over and fully bucketed."""
    # A report is stamped in its web process a moment before it reaches the
    # log, and two processes may append out of order: an hour is done a
    # little after it ends.
    now = (now or timezone.now()) - IN_FLIGHT
    oldest = log.backlog().oldest
    return _hour(min(now, oldest) if oldest else now)


def roll_up(now: datetime | None = None) -> int:
    """Roll up the complete hours not rolled up yet; how many hours."""
    end = complete_before(now)
    hours = 0
    while True:
        with transaction.atomic():
            Rollup.objects.get_or_create(name=CURSOR)
            row = Rollup.objects.select_for_update().get(name=CURSOR)
            start = row.until or _first_hour()
            if start is None or start >= end:
                return hours
            stop = min(end, start + STEP_HOURS * HOUR)
            with connection.cursor() as cursor:
                cursor.execute(ROLL_UP_SQL, [start, stop])
            row.until = stop
            row.save(update_fields=["until"])
        hours += int((stop - start) / HOUR)


def _first_hour() -> datetime | None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT min(minute) FROM outages_bucket")
        first = cursor.fetchone()[0]
    return _hour(first) if first else None

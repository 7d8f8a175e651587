"""Counts over time for charts and the series API, read from the buckets.

One query per answer, whatever the window: buckets (minutes, and the hourly
roll-ups for hours and coarser) are summed in SQL to the resolution asked
for, and the usual range comes from `band`.
"""

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import connection
from django.db.models import Sum
from django.utils import timezone

from outages.detection.clock import MINUTE, epoch_minute
from outages.models import Bucket
from outages.pipeline import rollups
from outages.pipeline.status import SUMMARY_WINDOW_MINUTES
from outages.web.band import expected_band

RESOLUTIONS = {"1m": 1, "5m": 5, "15m": 15, "1h": 60}


@dataclass(frozen=True)
class Point:
    at: datetime
    reports: int
    reporters: int
    expected: float | None
    low: float | None
    high: float | None


def align(moment: datetime, step_minutes: int) -> datetime:
    """The start of the UTC bucket of `step_minutes` that holds `moment`."""
    minute = epoch_minute(moment)
    return datetime.fromtimestamp(
        (minute - minute % step_minutes) * 60, tz=moment.tzinfo
    )


def counts(
    service_id: int,
    start: datetime,
    end: datetime,
    step_minutes: int,
    region: str = Bucket.WORLDWIDE,
    symptom_id: int | None = None,
) -> dict[datetime, tuple[int, int]]:
    """Reports and distinct reporters per bucket of `step_minutes`, from SQL.

    Buckets of an hour or more read the hourly roll-ups where they are
    complete and the minute buckets after them, so they reach back past the
    minute buckets' retention; finer ones read the minutes there are.
    """

    def within(column: str, low: datetime, high: datetime) -> tuple[str, list]:
        where = f"service_id = %s AND region = %s AND {column} >= %s AND {column} < %s"
        params = [service_id, region, low, high]
        if symptom_id is not None:
            where += " AND symptom_id = %s"
            params.append(symptom_id)
        return where, params

    rolled = rollups.rolled_until() if step_minutes % 60 == 0 else None
    # Hours from the roll-ups, up to the last whole hour before `end`.
    split = max(start, min(rolled, align(end, 60))) if rolled else start
    hours, hour_params = within("hour", start, split)
    minutes, minute_params = within("minute", split, end)
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT date_bin(%s, t, TIMESTAMPTZ '2000-01-01 00:00:00+00') AS b,
                   sum(reports), sum(reporters)
            FROM (
                SELECT hour AS t, reports, reporters FROM outages_hourbucket
                WHERE {hours}
                UNION ALL
                SELECT minute, reports, reporters FROM outages_bucket
                WHERE {minutes}
            ) found
            GROUP BY b
            """,
            [timedelta(minutes=step_minutes), *hour_params, *minute_params],
        )
        return {t: (int(r), int(p)) for t, r, p in cursor.fetchall()}


def points(
    service_id: int,
    start: datetime,
    end: datetime,
    step_minutes: int,
    region: str = Bucket.WORLDWIDE,
    symptom_id: int | None = None,
) -> list[Point]:
    """One point per bucket from `start` (aligned) to before `end`, gaps as 0.

    The expected band is the baseline the detector holds now for each hour of
    the week; it is given for all symptoms together, not for one symptom.
    """
    start = align(start, step_minutes)
    step = timedelta(minutes=step_minutes)
    length = max(0, math.ceil((end - start) / step))
    found = counts(service_id, start, end, step_minutes, region, symptom_id)
    band = None
    if symptom_id is None and length:
        band = expected_band(service_id, region, start, length, step_minutes)
    result = []
    for i in range(length):
        at = start + i * step
        reports, reporters = found.get(at, (0, 0))
        mu, low, high = (None, None, None) if band is None else band[i]
        result.append(Point(at, reports, reporters, mu, low, high))
    return result


def recent_reporters(
    service_id: int,
    region: str = Bucket.WORLDWIDE,
    minutes: int = SUMMARY_WINDOW_MINUTES,
    now: datetime | None = None,
) -> int:
    """Distinct people who reported the service in the last `minutes`."""
    now = now or timezone.now()
    since = now.replace(second=0, microsecond=0) - (minutes - 1) * MINUTE
    total = Bucket.objects.filter(
        service_id=service_id, region=region, minute__gte=since
    ).aggregate(total=Sum("reporters"))["total"]
    return total or 0

"""The home page's small lines: each service's reporters per hour for a day.

One query for every service, shared through the cache for a minute.
"""

from datetime import datetime, timedelta

from django.core.cache import caches
from django.db import connection

from outages.web.points import align

SPARKLINE_HOURS = 24
SPARKLINE_CACHE_SECONDS = 60


def sparklines(now: datetime) -> dict[int, list[int]]:
    """Distinct reporters worldwide per hour over the last day, per service."""
    cache = caches["default"]
    end = align(now, 60) + timedelta(hours=1)
    key = f"sparklines:{end.isoformat()}"
    found = cache.get(key)
    if found is not None:
        return {int(k): v for k, v in found.items()}
    start = end - timedelta(hours=SPARKLINE_HOURS)
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT service_id, date_trunc('hour', minute) AS t, sum(reporters)
            FROM outages_bucket
            WHERE region = '' AND minute >= %s AND minute < %s
            GROUP BY service_id, t
            """,
            [start, end],
        )
        rows = cursor.fetchall()
    lines: dict[int, list[int]] = {}
    for service_id, t, reporters in rows:
        line = lines.setdefault(service_id, [0] * SPARKLINE_HOURS)
        line[int((t - start) / timedelta(hours=1))] = int(reporters)
    cache.set(key, lines, SPARKLINE_CACHE_SECONDS)
    return lines

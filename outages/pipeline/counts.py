"""Reading the buckets in bulk for the detector and for incidents.

A series is a service in a region ("" for the whole world). Its counts are
distinct reporters per UTC minute, summed over symptoms, read in one query
per cycle whatever the number of series.
"""

from datetime import datetime

import numpy as np
from django.db import connection

from outages.detection.clock import MINUTE

Key = tuple[int, str]  # (service id, region code or "")


def take_in(found: dict[Key, np.ndarray], keys: list[Key], detector, length: int):
    """`found` as an (S, length) matrix in the order of `keys`.

    Series seen for the first time are appended to `keys` and grown into the
    detector, which then learns everyone's parents again.
    """
    from outages.pipeline.family import family  # which imports Key from here

    index = {key: i for i, key in enumerate(keys)}
    new = sorted(key for key in found if key not in index)
    if new:
        index.update((key, len(keys) + i) for i, key in enumerate(new))
        keys += new
        detector.grow(len(new))
    # Quiet series borrow from their parents (see detection/borrowing.py).
    if new or detector.family is None:
        detector.family = family(keys)
    matrix = np.zeros((len(keys), length))
    for key, values in found.items():
        matrix[index[key]] = values
    return matrix


def reporters_per_minute(
    first: datetime, last: datetime, shard: tuple[int, int] = (0, 1)
) -> dict[Key, np.ndarray]:
    """Distinct reporters per minute from `first` to `last` (inclusive), of
    the services in `shard` (which, of how many; see shards.py)."""
    length = int((last - first) / MINUTE) + 1
    which, of = shard
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT service_id, region, minute, sum(reporters)
            FROM outages_bucket
            WHERE minute >= %s AND minute <= %s AND service_id %% %s = %s
            GROUP BY service_id, region, minute
            """,
            [first, last, of, which],
        )
        rows = cursor.fetchall()
    counts: dict[Key, np.ndarray] = {}
    for service_id, region, minute, reporters in rows:
        series = counts.setdefault((service_id, region), np.zeros(length))
        series[int((minute - first) / MINUTE)] = reporters
    return counts


def symptom_shares(service_id: int, first: datetime, last: datetime) -> dict:
    """Each symptom's share of the service's reports worldwide, in %."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT s.slug, sum(b.reports)
            FROM outages_bucket b JOIN outages_symptom s ON s.id = b.symptom_id
            WHERE b.service_id = %s AND b.region = '' AND b.minute BETWEEN %s AND %s
            GROUP BY s.slug ORDER BY 2 DESC, 1
            """,
            [service_id, first, last],
        )
        rows = cursor.fetchall()
    total = sum(n for _, n in rows) or 1
    return {slug: round(100.0 * n / total, 1) for slug, n in rows}

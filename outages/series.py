"""The one bridge between database rows and the detector's arrays.

A series is a service in a region ("" for the whole world). Its counts are
distinct reporters per UTC minute, summed over symptoms, read in bulk: one
query per cycle, whatever the number of series. Its parent, from which it
borrows while its own history is thin, is the place that holds it, and for a
service's world series its category.
"""

import io
from datetime import datetime, timedelta

import numpy as np
from django.db import connection

from outages.detection import borrowing
from outages.detection.detector import Detector
from outages.models import Service

MINUTE = timedelta(minutes=1)

Key = tuple[int, str]  # (service id, region code or "")


def reporters_per_minute(first: datetime, last: datetime) -> dict[Key, np.ndarray]:
    """Distinct reporters per minute from `first` to `last` (inclusive)."""
    length = int((last - first) / MINUTE) + 1
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT service_id, region, minute, sum(reporters)
            FROM outages_bucket
            WHERE minute >= %s AND minute <= %s
            GROUP BY service_id, region, minute
            """,
            [first, last],
        )
        rows = cursor.fetchall()
    counts: dict[Key, np.ndarray] = {}
    for service_id, region, minute, reporters in rows:
        series = counts.setdefault((service_id, region), np.zeros(length))
        series[int((minute - first) / MINUTE)] = reporters
    return counts


def family(keys: list[Key]) -> borrowing.Family:
    """Who borrows from whom among the series `keys` (one query).

    A subdivision ("DE-BY") borrows from its country ("DE"), a country from
    the service's world series (""), and a world series from the typical
    service of its category. A place whose parent has no series yet borrows
    from the world series, or from nothing.
    """
    categories = dict(Service.objects.values_list("id", "category"))
    groups = {name: g for g, name in enumerate(sorted(set(categories.values())))}
    index = {key: i for i, key in enumerate(keys)}
    parent = np.full(len(keys), -1, dtype=np.int64)
    group = np.full(len(keys), -1, dtype=np.int64)
    for i, (service_id, region) in enumerate(keys):
        if not region:
            group[i] = groups.get(categories.get(service_id), -1)
            continue
        country, dash, _ = region.partition("-")
        up = index.get((service_id, country)) if dash else None
        if up is None:
            up = index.get((service_id, ""))
        if up is not None:
            parent[i] = up
    return borrowing.family(parent, group)


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


def pack(keys: list[Key], detector: Detector) -> bytes:
    """The detector and its series keys as one blob (NumPy's .npz format)."""
    buffer = io.BytesIO()
    services = np.array([k[0] for k in keys], dtype=np.int64)
    regions = np.array([k[1] for k in keys], dtype="U10")
    # Half the size in single precision: profiles need no more.
    arrays = {
        name: a.astype(np.float32) if a.dtype == np.float64 else a
        for name, a in detector.save().items()
    }
    np.savez(buffer, services=services, regions=regions, **arrays)
    return buffer.getvalue()


def unpack(blob: bytes, bucket_minutes: float = 1.0) -> tuple[list[Key], Detector]:
    if not blob:
        return [], Detector(0, bucket_minutes)
    with np.load(io.BytesIO(blob)) as arrays:
        keys = [
            (int(s), str(r))
            for s, r in zip(arrays["services"], arrays["regions"], strict=True)
        ]
        detector = Detector.load(arrays, bucket_minutes)
    return keys, detector

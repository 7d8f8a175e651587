"""What the pages and the read API show: counts over time and what is normal.

Reads only: the buckets (one query per answer), the status the last detection
cycle published, and the detector's baselines, unpacked at most once a
minute per process.
"""

import math
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np
from django.core.cache import caches
from django.db import connection

from outages import series as detector_series
from outages import status
from outages.catalog import lookup
from outages.detection import baseline
from outages.detection.clock import hours_of_week
from outages.models import Bucket, DetectorState, Service
from outages.status import LEVELS

MINUTE = timedelta(minutes=1)
RESOLUTIONS = {"1m": 1, "5m": 5, "15m": 15, "1h": 60}
# The usual range drawn around the expectation holds this share of normal
# buckets.
BAND = 0.99


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
    epoch_minute = int(moment.timestamp() // 60)
    return datetime.fromtimestamp(
        (epoch_minute - epoch_minute % step_minutes) * 60, tz=moment.tzinfo
    )


def counts(
    service_id: int,
    start: datetime,
    end: datetime,
    step_minutes: int,
    region: str = Bucket.WORLDWIDE,
    symptom_id: int | None = None,
) -> dict[datetime, tuple[int, int]]:
    """Reports and distinct reporters per bucket of `step_minutes`, from SQL."""
    where = "service_id = %s AND region = %s AND minute >= %s AND minute < %s"
    params = [service_id, region, start, end]
    if symptom_id is not None:
        where += " AND symptom_id = %s"
        params.append(symptom_id)
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT date_bin(%s, minute, TIMESTAMPTZ '2000-01-01 00:00:00+00') AS t,
                   sum(reports), sum(reporters)
            FROM outages_bucket WHERE {where}
            GROUP BY t
            """,
            [timedelta(minutes=step_minutes), *params],
        )
        return {t: (int(r), int(p)) for t, r, p in cursor.fetchall()}


def series(
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
    points = []
    for i in range(length):
        at = start + i * step
        reports, reporters = found.get(at, (0, 0))
        mu, low, high = (None, None, None) if band is None else band[i]
        points.append(Point(at, reports, reporters, mu, low, high))
    return points


def expected_band(
    service_id: int, region: str, start: datetime, length: int, step_minutes: int
) -> list[tuple[float, float, float]] | None:
    """(expected, low, high) per bucket, or None if the series is unknown."""
    found = _baselines().week(service_id, region)
    if found is None:
        return None
    per_hour, dispersion = found
    first = int(start.timestamp() // 60)
    minutes = first + np.arange(length * step_minutes)
    hours = hours_of_week(minutes)
    mu = per_hour[hours].reshape(length, step_minutes).sum(axis=1)
    # A sum of n buckets with dispersion a is negative binomial with
    # dispersion a / n (same variance, n times the mean).
    dispersion = max(dispersion / step_minutes, 1e-6)
    low, high = _nbinom_interval(mu, dispersion)
    return [
        (round(float(m), 3), float(lo), float(hi))
        for m, lo, hi in zip(mu, low, high, strict=True)
    ]


def _nbinom_interval(mu: np.ndarray, dispersion: float):
    from scipy import stats  # slow to import; only charts need it

    n = 1.0 / dispersion
    p = n / (n + np.maximum(mu, 1e-9))
    tail = (1 - BAND) / 2
    return stats.nbinom.ppf(tail, n, p), stats.nbinom.ppf(1 - tail, n, p)


class _Baselines:
    """The detector's baselines, reloaded when a new cycle has saved them."""

    RECHECK_SECONDS = 30

    def __init__(self):
        self._lock = threading.Lock()
        self._minute = None
        self._checked = 0.0
        self._index: dict = {}
        self._baseline = None
        self._weeks: dict = {}  # (service, region) -> week(), until reloaded

    def week(self, service_id: int, region: str) -> tuple[np.ndarray, float] | None:
        """Expected count per bucket for each hour of the week, and dispersion."""
        key = (service_id, region)
        with self._lock:
            if time.monotonic() - self._checked > self.RECHECK_SECONDS:
                self._reload()
            if key not in self._weeks:
                i = self._index.get(key)
                if i is None:
                    return None
                b = self._baseline
                row = baseline.Baseline(
                    **{f: getattr(b, f)[i : i + 1] for f in b.__dataclass_fields__}
                )
                per_hour = np.array([baseline.expected(row, h)[0] for h in range(168)])
                self._weeks[key] = (per_hour, float(row.dispersion[0]))
            return self._weeks[key]

    def _reload(self) -> None:
        self._checked = time.monotonic()
        minute = (
            DetectorState.objects.filter(shard=0)
            .values_list("minute", flat=True)
            .first()
        )
        if minute == self._minute and self._baseline is not None:
            return
        blob = (
            DetectorState.objects.filter(shard=0)
            .values_list("arrays", flat=True)
            .first()
        )
        keys, detector = detector_series.unpack(bytes(blob or b""))
        self._index = {key: i for i, key in enumerate(keys)}
        self._baseline = detector.baseline
        self._weeks = {}
        self._minute = minute


_baselines_by_process = _Baselines()


def _baselines() -> _Baselines:
    return _baselines_by_process


def forget_baselines() -> None:
    """Drop this process's copy (tests that write detector state)."""
    global _baselines_by_process
    _baselines_by_process = _Baselines()


SPARKLINE_HOURS = 24
SPARKLINE_CACHE_SECONDS = 60


def sparklines(now: datetime) -> dict[int, list[int]]:
    """Distinct reporters worldwide per hour over the last day, per service.

    One query for every service, cached for a minute: the home page draws
    them all.
    """
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


def ratio(observed: float, expected: float) -> float | None:
    return round(observed / expected, 2) if expected > 0 else None


def region_level(code: str, values: dict) -> dict:
    return {
        "code": code,
        "name": lookup.region_name(code),
        "kind": "subdivision" if "-" in code else "country",
        "level": values["level"],
        "observed": values["observed"],
        "expected": values["expected"],
        "ratio": ratio(values["observed"], values["expected"]),
    }


def worst_first(item: dict):
    return (-LEVELS.index(item["level"]), -(item["ratio"] or 0), item["code"])


def places_by_severity(regions: dict) -> list[dict]:
    """{code: {level, observed, expected}} as region_level()s, worst first."""
    return sorted(
        (region_level(code, values) for code, values in regions.items()),
        key=worst_first,
    )


def service_regions(service_id: int) -> dict:
    """Every place with activity for the service, worst first (its map)."""
    found = status.service_regions(service_id)
    return {"at": found["at"], "regions": places_by_severity(found["regions"])}


def elevated_regions() -> dict:
    """Every place where some service has possible problems or an outage."""
    published = status.current()
    services = {
        s.id: s
        for s in Service.objects.filter(
            id__in=[int(k) for k in published["services"]]
        ).only("slug", "name")
    }
    places: dict[str, list] = {}
    for service_id, entry in published["services"].items():
        service = services.get(int(service_id))
        if service is None:
            continue
        for code, values in entry["regions"].items():
            item = {
                "slug": service.slug,
                "name": service.name,
                "url": service.get_absolute_url(),
                **values,
            }
            places.setdefault(code, []).append(item)
    regions = []
    for code, items in places.items():
        items.sort(key=lambda i: (-LEVELS.index(i["level"]), i["name"]))
        worst = max(items, key=lambda i: (LEVELS.index(i["level"]), i["observed"]))
        region = region_level(code, worst)
        region["services"] = items
        regions.append(region)
    return {"at": published["at"], "regions": sorted(regions, key=worst_first)}

"""The usual range drawn around a chart: what the detector holds as normal.

Each web process keeps one copy of each shard's baselines, reloaded when a
cycle has saved new ones (checked at most every RECHECK_SECONDS), and each
series' week of expectations is computed once per copy.
"""

import threading
import time
from datetime import datetime

import numpy as np

from outages.detection import baseline
from outages.detection.clock import HOURS_PER_WEEK, epoch_minute, hours_of_week
from outages.pipeline import shards, state

# The usual range holds this share of normal buckets.
BAND = 0.99


def expected_band(
    service_id: int, region: str, start: datetime, length: int, step_minutes: int
) -> list[tuple[float, float, float]] | None:
    """(expected, low, high) per bucket, or None if the series is unknown."""
    found = _baselines(shards.of(service_id)).week(service_id, region)
    if found is None:
        return None
    per_hour, dispersion = found
    minutes = epoch_minute(start) + np.arange(length * step_minutes)
    mu = per_hour[hours_of_week(minutes)].reshape(length, step_minutes).sum(axis=1)
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
    """A shard's baselines, reloaded when a new cycle has saved them."""

    RECHECK_SECONDS = 30

    def __init__(self, shard: int):
        self._shard = shard
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
                hourly = np.array(
                    [baseline.expected(row, h)[0] for h in range(HOURS_PER_WEEK)]
                )
                # Each hour with its neighbours, as the detector expects it.
                around = np.stack([np.roll(hourly, 1), hourly, np.roll(hourly, -1)])
                per_hour = baseline.smoothed(around)
                self._weeks[key] = (per_hour, float(row.dispersion[0]))
            return self._weeks[key]

    def _reload(self) -> None:
        self._checked = time.monotonic()
        minute = state.saved_minute(self._shard)
        if minute == self._minute and self._baseline is not None:
            return
        keys, detector = state.saved(self._shard)
        self._index = {key: i for i, key in enumerate(keys)}
        self._baseline = detector.baseline
        self._weeks = {}
        self._minute = minute


_baselines_by_process: dict[int, _Baselines] = {}
_making = threading.Lock()


def _baselines(shard: int) -> _Baselines:
    with _making:
        if shard not in _baselines_by_process:
            _baselines_by_process[shard] = _Baselines(shard)
        return _baselines_by_process[shard]


def forget_baselines() -> None:
    """Drop this process's copies (tests that write detector state)."""
    with _making:
        _baselines_by_process.clear()

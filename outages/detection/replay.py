"""Replaying series bucket by bucket, exactly as the live cycle would.

Runs many series at once (the benchmarks) or one (backtest) through the same
`Detector` as the live cycle, and keeps every bucket's outputs.
"""

from dataclasses import dataclass

import numpy as np

from outages.detection import borrowing
from outages.detection.detector import Detector
from outages.detection.lifecycle import Rules


@dataclass(frozen=True)
class Replay:
    """Per series and bucket, (S, T) arrays."""

    expected: np.ndarray
    dispersion: np.ndarray
    score: np.ndarray
    alert: np.ndarray  # 1 where an incident was declared
    incident: np.ndarray  # 1 while one is open


def checked_counts(values, missing=None) -> np.ndarray:
    """Counts as a float array (S, T), refusing what cannot be a count.

    Missing buckets are named by the `missing` mask (their values are not
    looked at) and come back as NaN, which the detector skips.
    """
    values = np.atleast_2d(np.asarray(values, dtype=float))
    if values.size == 0:
        raise ValueError("no values: the series is empty")
    mask = np.zeros(values.shape, dtype=bool) if missing is None else missing
    mask = np.broadcast_to(np.asarray(mask, dtype=bool), values.shape)
    present = values[~mask]
    if np.isnan(present).any() or np.isinf(present).any():
        raise ValueError("values must be finite numbers: mark gaps as missing")
    if (present < 0).any():
        raise ValueError("values must not be negative: they are counts of reports")
    return np.where(mask, np.nan, values)


def replay(
    values: np.ndarray,
    hours_of_week: np.ndarray,
    bucket_minutes: float,
    rules: Rules | None = None,
    missing: np.ndarray | None = None,
    progress=None,
    family: borrowing.Family | None = None,
) -> Replay:
    """Replay (S, T) counts over T buckets, skipping the `missing` ones.

    With a `family`, series borrow from their parents as in the live cycle.
    """
    values = checked_counts(values, missing)
    size, length = values.shape
    if len(hours_of_week) != length:
        raise ValueError("one hour of the week is needed per bucket")
    detector = Detector(size, bucket_minutes, rules)
    detector.family = family
    names = ("mu", "dispersion", "score", "alert", "open")
    out = {name: np.zeros((size, length)) for name in names}
    for t in range(length):
        mu, score, opened, ongoing = detector.step(int(hours_of_week[t]), values[:, t])
        out["mu"][:, t] = mu
        out["dispersion"][:, t] = detector.baseline.dispersion
        out["score"][:, t] = score
        out["alert"][:, t] = opened
        out["open"][:, t] = ongoing
        if progress is not None:
            progress(t + 1)
    return Replay(
        expected=out["mu"],
        dispersion=out["dispersion"],
        score=out["score"],
        alert=out["alert"].astype(np.int8),
        incident=out["open"].astype(np.int8),
    )

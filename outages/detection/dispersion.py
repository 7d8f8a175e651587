"""How much each window's sum varies around its expectation, per series.

The test judges a window's sum against a negative binomial with variance
M + a M^2 (M its expected sum). For independent buckets a = alpha / w, but
real reports come in waves and bursts: neighbouring buckets move together,
and a 15-bucket sum varies far more than that. So each window learns its
own a from its own residuals, (sum - M)^2 - M against M^2, with the
numerator and the denominator averaged apart (an average of per-hour ratios,
or of clipped ratios, is biased: quiet series would look over-dispersed,
heavy-tailed ones tame) and only the result clipped. The independent value
alpha / w is its floor, so a short history never makes a window bolder
than its single buckets allow.

Learned only from buckets whose windows hold no incident or suspicion, so
an outage does not teach that outages are normal.
"""

from dataclasses import dataclass

import numpy as np

START = 0.5
MIN_DISPERSION = 0.01
MAX_DISPERSION = 5.0
# The estimate averages about this many hours; faster while young, when
# the start value is only a guess.
HOURS = 72
# Weighs as much as this many hours of residuals, so the start value is
# forgotten within the first day.
PRIOR_HOURS = 2.0


@dataclass
class Dispersion:
    excess: np.ndarray  # (S, W) running mean of (sum - M)^2 - M per bucket
    square: np.ndarray  # (S, W) running mean of M^2 per bucket
    hours: np.ndarray  # (S,) hours learned

    @property
    def size(self) -> int:
        return self.hours.shape[0]


def new_dispersion(size: int, windows: int) -> Dispersion:
    return Dispersion(
        excess=np.zeros((size, windows)),
        square=np.zeros((size, windows)),
        hours=np.zeros(size),
    )


def of_windows(d: Dispersion, lengths: np.ndarray) -> np.ndarray:
    """The dispersion of each window's sum, (S, W)."""
    weight = d.hours[:, None] / (d.hours[:, None] + PRIOR_HOURS)
    measured = d.excess / np.maximum(d.square, 1e-12)
    # No square yet (nothing expected): the start value.
    measured = np.where(d.square > 1e-12, measured, START)
    estimate = weight * measured + (1 - weight) * START
    one = np.clip(estimate[:, :1], MIN_DISPERSION, MAX_DISPERSION)
    # Never bolder than independent buckets would be.
    return np.clip(estimate, one / lengths[None, :], MAX_DISPERSION)


def learn_hour(d: Dispersion, excess, square, buckets, include) -> None:
    """Fold one hour's sums of residual terms (S, W) over `buckets` (S, W)."""
    usable = include[:, None] & (buckets > 0)
    n = np.maximum(buckets, 1)
    rate = np.maximum(1.0 / (d.hours + 1), 1.0 / HOURS)[:, None]
    # Each hour weighs by how many buckets it held, relative to a full one.
    full = np.maximum(buckets.max(axis=1, keepdims=True), 1)
    rate = np.where(usable, rate * buckets / full, 0.0)
    d.excess += rate * (excess / n - d.excess)
    d.square += rate * (square / n - d.square)
    d.hours += include & (buckets[:, 0] > 0)

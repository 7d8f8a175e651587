"""How surprising a count is, and which surprises to believe.

Counts of reports are over-dispersed (a busy evening is busier than Poisson
says), so the test is a negative binomial with the series' own dispersion.
Sums over several windows catch both sharp and slowly building outages;
Benjamini-Hochberg keeps the share of false discoveries among the many series
tested each cycle under control.
"""

import numpy as np
from scipy import special

WINDOWS = (1, 5, 15)


def tail_probabilities(
    observed: np.ndarray, expected: np.ndarray, dispersion: np.ndarray
) -> np.ndarray:
    """P(X >= observed) for X negative binomial with this mean and dispersion.

    dispersion is alpha in var = mu + alpha * mu^2; values are rounded up, so a
    non-integer observation is judged like the next whole count.
    """
    observed = np.ceil(np.asarray(observed, dtype=float))
    mu = np.maximum(np.asarray(expected, dtype=float), 1e-9)
    alpha = np.maximum(np.asarray(dispersion, dtype=float), 1e-6)
    n = 1.0 / alpha
    p = n / (n + mu)
    # P(X >= k) = I_{1-p}(k, n), the regularised incomplete beta function:
    # the negative binomial survival function, without scipy.stats' overhead
    # (this runs once per bucket per series).
    tail = special.betainc(np.maximum(observed, 1.0), n, 1.0 - p)
    return np.where(observed <= 0, 1.0, tail)


def window_sums(buckets: np.ndarray) -> np.ndarray:
    """Sums over each window of (S, W) buckets, newest last: (S, len(WINDOWS)).

    A sum of w buckets is judged as negative binomial with dispersion
    alpha / w, which is exact for independent buckets of equal mean.
    """
    return np.stack([buckets[:, -w:].sum(axis=1) for w in WINDOWS], axis=1)


def benjamini_hochberg(p: np.ndarray, q: float) -> np.ndarray:
    """Which of the p-values are discoveries at false discovery rate q."""
    p = np.asarray(p, dtype=float)
    m = p.size
    if m <= 1:
        return p <= q
    order = np.argsort(p, kind="stable")
    ranked = p[order]
    below = ranked <= q * np.arange(1, m + 1) / m
    discoveries = np.zeros(m, dtype=bool)
    if below.any():
        last = np.flatnonzero(below)[-1]
        discoveries[order[: last + 1]] = True
    return discoveries


def score(p: np.ndarray, scale: float = 12.0) -> np.ndarray:
    """A score in [0, 1] from a tail probability: 1 at p <= 10^-scale."""
    p = np.clip(np.asarray(p, dtype=float), 1e-300, 1.0)
    # Adding 0.0 turns -0.0 (from p = 1) into 0.0.
    return np.clip(-np.log10(p) / scale, 0.0, 1.0) + 0.0


def upper_band(
    expected: np.ndarray, dispersion: np.ndarray, level: float = 0.999
) -> np.ndarray:
    """The count below which a bucket stays with probability `level`."""
    # scipy.stats takes seconds to import; only charts and plots need it.
    from scipy import stats

    mu = np.maximum(np.asarray(expected, dtype=float), 1e-9)
    n = 1.0 / np.maximum(np.asarray(dispersion, dtype=float), 1e-6)
    return stats.nbinom.ppf(level, n, n / (n + mu))

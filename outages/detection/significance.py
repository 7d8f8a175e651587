"""How surprising a count is, and which surprises to believe.

Counts of reports are over-dispersed (a busy evening is busier than Poisson
says), so the test is a negative binomial with the series' own dispersion.
Sums over several windows catch both sharp and slowly building outages;
Benjamini-Hochberg keeps the share of false discoveries among the many series
tested each cycle under control.
"""

import numpy as np
from scipy import special

# The windows of a one-minute series, in buckets; the pipeline's summary
# (the last 15 minutes) is the last of them.
WINDOWS = (1, 5, 15)
# Windows in wall time: one bucket, 5, 15 and 60 minutes, but never fewer
# than 1, 2, 4 and 8 buckets, so a coarse series still sums a short stretch
# (a slowly building outage) apart from its single bucket. The hour catches
# outages that build over tens of minutes on series whose reports come in
# waves, where 15 minutes of them say little.
WINDOW_MINUTES = (1.0, 5.0, 15.0, 60.0)
WINDOW_MIN_BUCKETS = (1, 2, 4, 8)


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


def window_lengths(bucket_minutes: float) -> tuple[int, ...]:
    """The windows, in buckets, of a series of buckets this wide."""
    return tuple(
        max(least, round(minutes / bucket_minutes))
        for minutes, least in zip(WINDOW_MINUTES, WINDOW_MIN_BUCKETS, strict=True)
    )


def window_sums(buckets: np.ndarray, lengths=WINDOWS) -> np.ndarray:
    """Sums over each window of (S, H) buckets, newest last: (S, len(lengths))."""
    return np.stack([buckets[:, -w:].sum(axis=1) for w in lengths], axis=1)


def evidence(observed, expected, dispersion) -> np.ndarray:
    """How far above its expectation each count is, in -log10 units.

    Half the negative binomial deviance over ln 10: about -log10 of the
    tail probability for large counts (a Gaussian tail at z = sqrt(2 D)),
    finite for every finite count, 0 at or below the expectation, and
    increasing with the count, so it ranks where the exact tail underflows.
    """
    x = np.asarray(observed, dtype=float)
    mu = np.maximum(np.asarray(expected, dtype=float), 1e-9)
    alpha = np.maximum(np.asarray(dispersion, dtype=float), 1e-6)
    above = x > mu
    x = np.where(above, x, mu)
    with np.errstate(divide="ignore", invalid="ignore"):
        deviance = x * np.log(x / mu) - (x + 1 / alpha) * np.log(
            (1 + alpha * x) / (1 + alpha * mu)
        )
    return np.where(above, np.maximum(deviance, 0.0) / np.log(10), 0.0)


def benjamini_hochberg(p: np.ndarray, q: float, tested: int | None = None):
    """Which of the p-values are discoveries at false discovery rate q.

    `tested` is the number of hypotheses in all when `p` is one group of
    them (a shard): each group then runs the procedure at level q times its
    share of them, which is ranking its p-values against all of them. The
    groups' false discovery rates add up to at most q (for independent
    p-values, as the procedure itself assumes), with no group waiting for
    the others; a lone discovery is judged exactly as with no groups.
    """
    p = np.asarray(p, dtype=float)
    size = p.size
    m = max(tested or 0, size)
    if m <= 1:
        return p <= q
    order = np.argsort(p, kind="stable")
    ranked = p[order]
    below = ranked <= q * np.arange(1, size + 1) / m
    discoveries = np.zeros(size, dtype=bool)
    if below.any():
        last = np.flatnonzero(below)[-1]
        discoveries[order[: last + 1]] = True
    return discoveries


# Evidence of this many -log10 units scores half its band.
SCORE_HALF = 8.0


def score(strength: np.ndarray, declared: np.ndarray, damping: np.ndarray):
    """A score in [0, 1): continuous and increasing in the evidence.

    Evidence e (-log10 units; the detector passes what a bucket shows
    beyond what its series showed lately) maps to e / (e + SCORE_HALF),
    below 1 for every finite count. A bucket where an incident is declared
    scores in the upper half [0.5, 1), every other bucket in [0, 0.5): a
    threshold above 0.5 picks the detector's own alerts with more evidence
    than asked, one below it is more sensitive than the detector. `damping`
    in (0, 1] lowers buckets whose evidence is not new (an incident already
    open, a cool-down), so the score peaks where the detector alerts.
    """
    e = np.maximum(np.asarray(strength, dtype=float), 0.0)
    ranked = e / (e + SCORE_HALF)
    out = np.where(declared, 0.5 + 0.5 * ranked, 0.5 * ranked * damping) + 0.0
    # Past about 10^16 units e / (e + 8) rounds to 1: keep it below.
    return np.minimum(out, _BELOW_ONE)


_BELOW_ONE = np.nextafter(1.0, 0.0)


def upper_band(
    expected: np.ndarray, dispersion: np.ndarray, level: float = 0.999
) -> np.ndarray:
    """The count below which a bucket stays with probability `level`."""
    # scipy.stats takes seconds to import; only charts and plots need it.
    from scipy import stats

    mu = np.maximum(np.asarray(expected, dtype=float), 1e-9)
    n = 1.0 / np.maximum(np.asarray(dispersion, dtype=float), 1e-6)
    return stats.nbinom.ppf(level, n, n / (n + mu))

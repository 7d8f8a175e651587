"""When a surprise becomes an incident, and when the incident ends.

A series is quiet, suspected (one surprising bucket) or in an incident
(declared). Declaring takes two surprising buckets in a row, or one very
strong one; ending takes several quiet buckets in a row. The gap between
"surprising" and "quiet" is the hysteresis that keeps an incident from
flapping open and shut on a noisy series.
"""

import math
from dataclasses import dataclass

import numpy as np

from outages.detection.significance import (
    WINDOWS,
    benjamini_hochberg,
    tail_probabilities,
)

QUIET, SUSPECTED, ONGOING = 0, 1, 2


@dataclass(frozen=True)
class Rules:
    # A window is surprising below this tail probability...
    p_open: float = 1e-7
    # ...and declares an incident at once below this one.
    p_strong: float = 1e-12
    # False discovery rate across the series tested in one cycle.
    fdr: float = 0.01
    # The minimum effect: this many reporters, and this many times normal.
    min_count: float = 6.0
    min_ratio: float = 3.0
    confirm_buckets: int = 2
    # An incident's bucket is quiet when the last 5 buckets are under this
    # ratio to normal; this many quiet minutes in a row end it.
    quiet_ratio: float = 2.0
    quiet_minutes: float = 10.0
    # A series with no prior may not alert until it has learned this long.
    warmup_hours: int = 12


@dataclass(frozen=True)
class Verdict:
    """One cycle's judgement of each series (arrays over series)."""

    p: np.ndarray  # smallest tail probability among windows with the effect
    window: np.ndarray  # index into WINDOWS of that window
    surprising: np.ndarray
    strong: np.ndarray
    quiet: np.ndarray


def judge(
    observed: np.ndarray,
    expected: np.ndarray,
    dispersion: np.ndarray,
    rules: Rules,
    may_alert: np.ndarray,
) -> Verdict:
    """Judge the window sums (S, len(WINDOWS)) of every series.

    Only windows with the minimum effect can be surprising, so only theirs
    get a tail probability: on a normal minute that is almost none of them,
    and the test is most of a cycle's cost.
    """
    effect = (observed >= rules.min_count) & (observed >= rules.min_ratio * expected)
    effect &= may_alert[:, None]
    candidate = np.ones(observed.shape)
    rows, cols = np.nonzero(effect)
    if rows.size:
        alpha = np.asarray(dispersion, dtype=float)[rows] / np.array(WINDOWS)[cols]
        candidate[rows, cols] = tail_probabilities(
            observed[rows, cols], expected[rows, cols], alpha
        )
    window = candidate.argmin(axis=1)
    # Bonferroni over the windows of a series, then FDR across series.
    best = np.minimum(candidate.min(axis=1) * len(WINDOWS), 1.0)
    discovered = benjamini_hochberg(best, rules.fdr)
    surprising = discovered & (best <= rules.p_open)
    strong = surprising & (best <= rules.p_strong)
    five = WINDOWS.index(5)
    quiet = observed[:, five] <= rules.quiet_ratio * expected[:, five]
    return Verdict(best, window, surprising, strong, quiet)


@dataclass
class States:
    state: np.ndarray  # QUIET, SUSPECTED or ONGOING per series
    streak: np.ndarray  # surprising buckets in a row (while suspected)
    calm: np.ndarray  # quiet buckets in a row (while ongoing)


def new_states(size: int) -> States:
    zeros = np.zeros(size, dtype=np.int32)
    return States(zeros.copy(), zeros.copy(), zeros.copy())


@dataclass(frozen=True)
class Changes:
    opened: np.ndarray  # declared in this cycle
    resolved: np.ndarray  # ended in this cycle


def advance(s: States, v: Verdict, rules: Rules, bucket_minutes: float) -> Changes:
    """Move every series one bucket on; returns which opened and which ended."""
    quiet_needed = max(2, math.ceil(rules.quiet_minutes / bucket_minutes))
    ongoing = s.state == ONGOING
    streak = (s.streak + 1) * v.surprising
    declare = ~ongoing & (v.strong | (streak >= rules.confirm_buckets))
    calm = (s.calm + 1) * (ongoing & v.quiet & ~v.surprising)
    resolve = ongoing & (calm >= quiet_needed)
    now_ongoing = (ongoing | declare) & ~resolve

    s.state = np.where(now_ongoing, ONGOING, v.surprising * SUSPECTED)
    s.streak = streak * ~now_ongoing
    s.calm = calm * now_ongoing
    return Changes(opened=declare, resolved=resolve)

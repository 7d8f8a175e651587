"""When a surprise becomes an incident, and when the incident ends.

A series is quiet, suspected (surprising now) or in an incident (declared).
Every duration here is wall time in minutes, turned into buckets by
`Timing`, so a 1-, 5- or 60-minute series is judged on the same clock.

- Declaring takes a surprise that persists (`persist_minutes` of buckets
  that are surprising and themselves elevated), or one bucket so far above
  normal that waiting would only add delay (`big_ratio`). A burst that is
  gone as fast as it came leaves its window sums surprising for a while,
  but its own buckets are back to normal, so it never persists.
- Ending takes `quiet_minutes` of quiet buckets in a row.
- After an incident ends, reopening needs strong evidence for
  `cooldown_minutes`, so one outage does not make three incidents.
"""

import math
from dataclasses import dataclass

import numpy as np

from outages.detection.significance import (
    benjamini_hochberg,
    evidence,
    tail_probabilities,
)

QUIET, SUSPECTED, ONGOING = 0, 1, 2
MINUTES_PER_WEEK = 7 * 24 * 60
# The buckets after a burst would have ended must be this unusual on their
# own: strict, as a long surprise gives them many chances.
ELEVATED_P = 1e-3


@dataclass(frozen=True)
class Rules:
    # The bar for a surprising bucket comes from a false-alarm rate: this
    # many surprising buckets per series-week at most, were the model right.
    # Buckets per week, and so the tail probability asked of each, follow
    # from the bucket width (`Timing.p_open`).
    surprises_per_week: float = 0.01
    # Declares at once, or reopens during a cool-down, below this one.
    p_strong: float = 1e-12
    # Benjamini-Hochberg across the series tested in one cycle: a guard for
    # mass events (many series a little surprising at once), not the bar.
    fdr: float = 0.01
    # The minimum effect: this many reporters, and this many times normal.
    min_count: float = 6.0
    min_ratio: float = 3.0
    # A surprise must persist this long to open an incident, and its last
    # buckets, after the first `burst_minutes` (as long as a burst lasts),
    # must be unusual on their own (at least `quiet_ratio` times normal and
    # a tail below ELEVATED_P): a burst that is over leaves its windows
    # surprising, but not its last buckets. A single bucket at `big_ratio`
    # times normal with `big_count` reporters a minute over normal opens
    # one at once.
    persist_minutes: float = 8.0
    burst_minutes: float = 5.0
    big_ratio: float = 20.0
    big_count: float = 35.0
    # An incident's bucket is quiet when its medium window is under this
    # ratio to normal; this many quiet minutes in a row end it.
    quiet_ratio: float = 2.0
    quiet_minutes: float = 10.0
    cooldown_minutes: float = 60.0
    # A series may not alert until it has learned this long.
    warmup_hours: int = 12


@dataclass(frozen=True)
class Timing:
    """The rules' durations in buckets of one width."""

    bucket_minutes: float
    p_open: float
    persist: int
    recent: int  # the buckets judged on their own at the end of a persistence
    quiet: int
    cooldown: int

    @classmethod
    def of(cls, rules: Rules, bucket_minutes: float, windows: int) -> "Timing":
        per_week = MINUTES_PER_WEEK / bucket_minutes
        # A burst that starts inside a bucket spills into the next: it can
        # touch one bucket more than its length covers. The persistence asks
        # for one bucket beyond those (three at 5 minutes and wider), and
        # the buckets judged on their own are the ones after them.
        burst = math.ceil(rules.burst_minutes / bucket_minutes - 1e-9) + 1
        persist = max(
            burst + 1, math.ceil(rules.persist_minutes / bucket_minutes - 1e-9)
        )
        return cls(
            bucket_minutes=bucket_minutes,
            # Bonferroni over the windows is already in the p judged.
            p_open=rules.surprises_per_week / per_week,
            persist=persist,
            recent=max(1, persist - burst),
            quiet=max(2, math.ceil(rules.quiet_minutes / bucket_minutes - 1e-9)),
            cooldown=max(1, math.ceil(rules.cooldown_minutes / bucket_minutes)),
        )


@dataclass(frozen=True)
class Verdict:
    """One cycle's judgement of each series (arrays over series)."""

    p: np.ndarray  # smallest tail probability among windows with the effect
    window: np.ndarray  # index into the windows of that window
    evidence: np.ndarray  # -log10 of a tail probability, for every series
    surprising: np.ndarray
    strong: np.ndarray  # below p_strong
    big: np.ndarray  # one bucket far above normal
    elevated: np.ndarray  # the last `recent` buckets unusual on their own
    quiet: np.ndarray


def judge(
    observed: np.ndarray,
    expected: np.ndarray,
    dispersion: np.ndarray,
    lengths: np.ndarray,
    rules: Rules,
    timing: Timing,
    may_alert: np.ndarray,
    recent: tuple[np.ndarray, np.ndarray],
    tested: int | None = None,
) -> Verdict:
    """Judge the window sums (S, W) of every series; dispersion is (S, W).

    `tested` is how many series are judged in this bucket in all, when these
    are a shard of them: the false discovery rate is kept over all of them.

    Only windows with the minimum effect get an exact tail probability: on a
    normal minute that is almost none of them, and it is most of a cycle's
    cost. Every series gets `evidence` (a deviance, cheap) for the score.
    """
    windows = observed.shape[1]
    effect = (observed >= rules.min_count) & (observed >= rules.min_ratio * expected)
    effect &= may_alert[:, None]
    candidate = np.ones(observed.shape)
    rows, cols = np.nonzero(effect)
    if rows.size:
        candidate[rows, cols] = tail_probabilities(
            observed[rows, cols], expected[rows, cols], dispersion[rows, cols]
        )
    window = candidate.argmin(axis=1)
    # Bonferroni over the windows of a series, then FDR across series.
    best = np.minimum(candidate.min(axis=1) * windows, 1.0)
    discovered = benjamini_hochberg(best, rules.fdr, tested)
    surprising = discovered & (best <= timing.p_open)
    strong = surprising & (best <= rules.p_strong)
    one, mu_one = observed[:, 0], expected[:, 0]
    big = (
        strong
        & effect[:, 0]
        & (one >= rules.big_ratio * mu_one)
        & (one - mu_one >= rules.big_count * timing.bucket_minutes)
    )
    # Elevated: the last buckets alone are unusual and above the quiet
    # ratio. One report where a tenth is normal is not.
    recent_observed, recent_expected = recent
    elevated = surprising & (recent_observed >= rules.quiet_ratio * recent_expected)
    rows = np.flatnonzero(elevated)
    if rows.size:
        alone = tail_probabilities(
            recent_observed[rows], recent_expected[rows], dispersion[rows, 0]
        )
        elevated[rows] = alone <= ELEVATED_P
    medium = min(1, windows - 1)
    quiet = observed[:, medium] <= rules.quiet_ratio * expected[:, medium]
    strength = evidence(observed, expected, dispersion).max(axis=1)
    strength = np.where(may_alert, strength, 0.0)
    return Verdict(best, window, strength, surprising, strong, big, elevated, quiet)


@dataclass
class States:
    state: np.ndarray  # QUIET, SUSPECTED or ONGOING per series
    streak: np.ndarray  # surprising buckets in a row (while suspected)
    calm: np.ndarray  # quiet buckets in a row (while ongoing)
    # Buckets since the incident opened (while ongoing), or left of the
    # cool-down after one ended (while not).
    age: np.ndarray
    cooldown: np.ndarray


def new_states(size: int) -> States:
    zeros = np.zeros(size, dtype=np.int32)
    return States(*(zeros.copy() for _ in range(5)))


@dataclass(frozen=True)
class Changes:
    opened: np.ndarray  # declared in this cycle
    resolved: np.ndarray  # ended in this cycle


def advance(
    s: States,
    v: Verdict,
    timing: Timing,
    present: np.ndarray | None = None,
    may_open: np.ndarray | None = None,
) -> Changes:
    """Move every series one bucket on; returns which opened and which ended.

    A series whose bucket is missing (not `present`) keeps its state: a gap
    neither breaks a surprise's persistence nor counts as calm, so a series
    sampled every other bucket can still declare. Its cool-down runs on,
    being wall time. A series not in `may_open` stays suspected at most.
    """
    before = States(s.state, s.streak, s.calm, s.age, s.cooldown)
    ongoing = s.state == ONGOING
    cooling = s.cooldown > 0
    surprising = v.surprising & (~cooling | v.strong)
    streak = np.where(surprising, s.streak + 1, 0)
    persists = (streak >= timing.persist) & v.elevated
    declare = ~ongoing & surprising & (persists | v.big)
    if may_open is not None:
        declare &= may_open
    # Calm: the medium window is back near normal and this bucket is not
    # itself unusual. Longer windows still carry the outage for up to an
    # hour after it ends; they must not hold the incident open.
    calm = (s.calm + 1) * (ongoing & v.quiet & ~v.elevated)
    resolve = ongoing & (calm >= timing.quiet)
    now_ongoing = (ongoing | declare) & ~resolve

    s.state = np.where(now_ongoing, ONGOING, surprising * SUSPECTED).astype(np.int32)
    s.streak = (streak * ~now_ongoing).astype(np.int32)
    s.calm = (calm * now_ongoing).astype(np.int32)
    s.age = np.where(now_ongoing, (s.age + 1) * ongoing, 0).astype(np.int32)
    s.cooldown = np.where(
        resolve, timing.cooldown, np.maximum(s.cooldown - 1, 0) * ~now_ongoing
    ).astype(np.int32)
    if present is None:
        return Changes(opened=declare, resolved=resolve)
    for name in ("state", "streak", "calm", "age"):
        setattr(s, name, np.where(present, getattr(s, name), getattr(before, name)))
    ticked = np.maximum(before.cooldown - 1, 0) * (before.state != ONGOING)
    s.cooldown = np.where(present, s.cooldown, ticked).astype(np.int32)
    return Changes(opened=declare & present, resolved=resolve & present)


def end(
    s: States, which: np.ndarray, timing: Timing, cool_down: bool = True
) -> np.ndarray:
    """End the incidents of `which` now (a level shift was learned).

    Without `cool_down` (a false alarm: nothing was wrong) the series is
    learned from again at once, instead of after the cool-down.
    """
    ended = which & (s.state == ONGOING)
    s.state = np.where(which, QUIET, s.state).astype(np.int32)
    for name in ("streak", "calm", "age"):
        setattr(s, name, np.where(which, 0, getattr(s, name)).astype(np.int32))
    left = timing.cooldown if cool_down else 0
    s.cooldown = np.where(which, left, s.cooldown).astype(np.int32)
    return ended

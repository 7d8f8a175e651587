"""The detector's whole state for many series, advanced one bucket at a time.

Every caller steps the same `Detector`: the live cycle (all series, one
column of counts a minute), `replay` (a file or a benchmark's series) and the
history a new radar is taught. Causal by construction: a bucket's output is
computed before the bucket is learned, from state built only from earlier
buckets.
"""

import numpy as np

from outages.detection import (
    baseline,
    borrowing,
    dispersion,
    lifecycle,
    shift,
    significance,
)
from outages.detection.clock import HOURS_PER_WEEK
from outages.detection.lifecycle import ONGOING, QUIET, Rules, Timing

WINDOWS = significance.WINDOWS
_BASELINE = [
    "weekly",
    "weekly_seen",
    "daily",
    "daily_seen",
    "overall",
    "overall_seen",
    "level",
    "dispersion",
]


_STATES = ["state", "streak", "calm", "age", "cooldown"]
# The arrays that change only when an hour is learned, a level shifts or a
# series joins (`Detector.slow_changed`): the rest changes every bucket.
SLOW = (
    *(f"baseline_{f}" for f in _BASELINE),
    "dispersion_excess",
    "dispersion_square",
    "dispersion_hours",
)
# A count is learned clipped to mu + this many sd: far out, so the mean of a
# heavy-tailed series is hardly biased, yet a burst that opened nothing does
# not teach its hour to expect bursts.
LEARN_CLIP_SD = 6.0
# An incident's score halves every this many minutes it stays open, and a
# cool-down's starts at this fraction: the evidence there is not new.
SCORE_HALF_LIFE_MINUTES = 10.0
COOLDOWN_DAMPING = 0.5
# The score ranks new evidence: what a bucket shows beyond the most the
# series showed lately, that memory halving every this many minutes. A day:
# a series whose spikes of that size are daily (a noisy gauge, a busy
# feed's cascades) ranks the next one low; a burst's windows that stay
# surprising for an hour after it rank low too, as no new evidence.
SCORE_MEMORY_MINUTES = 1440.0
# A series that opened two incidents within about a day (a gauge that jumps
# every hour or two, a feed whose cascades are heavier than the model
# allows) must show more evidence than its recent incidents peaked at before
# it opens another: its openings are counted with a day's half-life, the
# most evidence of its incidents remembered with a week's. A real outage
# that comes back bigger still opens; the same spike again does not.
REPEAT_OPENINGS = 1.5
REPEAT_HALF_LIFE_MINUTES = 1440.0
PEAK_HALF_LIFE_MINUTES = 7 * 1440.0


class Detector:
    """The detector's whole state for S series, advanced one bucket at a time.

    The expectation changes only when an hour is learned, so it is computed
    once per hour (from the hour and its neighbours); window sums are kept
    running, so a bucket costs a few vector operations whatever the windows.
    With a `family` (who is whose parent; not part of the saved state) series
    with little history borrow their expectation from their parents
    (`borrowing`). Every duration is wall time, turned into buckets of
    `bucket_minutes`.
    """

    def __init__(self, size: int, bucket_minutes: float, rules: Rules | None = None):
        self.rules = rules or Rules()
        self.bucket_minutes = float(bucket_minutes)
        self.lengths = np.array(significance.window_lengths(self.bucket_minutes))
        self.history = int(self.lengths.max())
        self.timing = Timing.of(self.rules, self.bucket_minutes, self.lengths.size)
        self._block = shift.block_buckets(self.bucket_minutes)
        windows = self.lengths.size
        self.baseline = baseline.new_baseline(size)
        self.dispersion = dispersion.new_dispersion(size, windows)
        self.blocks = shift.new_blocks(size)
        self.states = lifecycle.new_states(size)
        # The last `history` buckets, as a ring: position t % history.
        self._observed = np.zeros((size, self.history))
        self._expected = np.zeros((size, self.history))
        # Buckets since each series last was in an incident or suspected (or
        # missing): its windows are learned from once they hold none.
        self._clean = np.zeros(size)
        self._obs_sums = np.zeros((size, windows))
        self._exp_sums = np.zeros((size, windows))
        self._t = 0
        self._hour: int | None = None
        self._cached_for = None  # (hour, prior, family) of the expectation
        self._family: borrowing.Family | None = None
        # The hour's sums: observed, own expectation, buckets; and per window
        # residual terms and the buckets they came from.
        self._sums = np.zeros((3, size))
        self._residuals = np.zeros((3, size, windows))
        self.last_p = np.ones(size)
        self.resolved_now = np.zeros(size, dtype=bool)
        self.shifted_now = np.zeros(size, dtype=bool)
        self._may_alert = np.zeros(size, dtype=bool)
        # The most evidence each series showed lately (decaying), for the score.
        self._shown = np.zeros(size)
        # Incidents opened lately (decaying) and the most evidence they showed.
        self._openings = np.zeros(size)
        self._peaks = np.zeros(size)
        # The most new evidence of the surprise under way, for its score.
        self._fresh = np.zeros(size)
        # Whether the SLOW arrays changed since the caller last saved them.
        self.slow_changed = True
        # How many series are tested in a bucket in all (this detector may
        # judge a shard of them): the false discovery rate is kept over all.
        self.population: int | None = None

    @property
    def size(self) -> int:
        return self.baseline.size

    @property
    def steps(self) -> int:
        """Buckets judged so far (0 for a detector that has learned nothing)."""
        return self._t

    @property
    def buckets_per_hour(self) -> float:
        return max(60.0 / self.bucket_minutes, 1.0)

    @property
    def family(self) -> borrowing.Family | None:
        return self._family

    @family.setter
    def family(self, family: borrowing.Family | None) -> None:
        if family is not None and family.size != self.size:
            raise ValueError("the family must have one entry per series")
        self._family = family
        self._cached_for = None

    @property
    def window_observed(self) -> np.ndarray:
        """Sums over each window of the last buckets, (S, windows)."""
        return self._obs_sums

    @property
    def window_expected(self) -> np.ndarray:
        return self._exp_sums

    @property
    def window_dispersion(self) -> np.ndarray:
        """The dispersion each window's sum is judged with, (S, windows)."""
        return dispersion.of_windows(self.dispersion, self.lengths)

    @property
    def learned(self) -> np.ndarray:
        """Which series know enough of normal to be judged (after a step)."""
        return self._may_alert

    def save(self) -> dict[str, np.ndarray]:
        """The whole state as named arrays (for np.savez)."""
        arrays = {f"baseline_{f}": getattr(self.baseline, f) for f in _BASELINE}
        arrays.update({f: getattr(self.states, f) for f in _STATES})
        arrays.update(
            dispersion_excess=self.dispersion.excess,
            dispersion_square=self.dispersion.square,
            dispersion_hours=self.dispersion.hours,
            blocks_observed=self.blocks.observed,
            blocks_expected=self.blocks.expected,
            blocks_current=self.blocks.current,
            observed=self._observed,
            expected=self._expected,
            clean=self._clean,
            sums=self._sums,
            residuals=self._residuals,
            shown=self._shown,
            openings=self._openings,
            peaks=self._peaks,
            fresh=self._fresh,
            clock=np.array([self._t, -1 if self._hour is None else self._hour]),
        )
        return arrays

    @classmethod
    def load(cls, arrays, bucket_minutes: float, rules: Rules | None = None):
        arrays = {
            name: a.astype(np.float64) if a.dtype == np.float32 else a
            for name, a in arrays.items()
        }
        size = arrays["state"].shape[0]
        detector = cls(size, bucket_minutes, rules)
        if "residuals" not in arrays:
            # A state saved by an older detector: start afresh.
            return detector
        for f in _BASELINE:
            setattr(detector.baseline, f, arrays[f"baseline_{f}"].copy())
        detector.states = lifecycle.States(
            *(arrays[f].astype(np.int32) for f in _STATES)
        )
        detector.dispersion = dispersion.Dispersion(
            arrays["dispersion_excess"].copy(),
            arrays["dispersion_square"].copy(),
            arrays["dispersion_hours"].copy(),
        )
        detector.blocks = shift.Blocks(
            arrays["blocks_observed"].copy(),
            arrays["blocks_expected"].copy(),
            arrays["blocks_current"].copy(),
        )
        detector._observed = arrays["observed"].copy()
        detector._expected = arrays["expected"].copy()
        detector._clean = arrays["clean"].copy()
        detector._sums = arrays["sums"].copy()
        detector._residuals = arrays["residuals"].copy()
        # Arrays a state saved by an older detector lacks start empty.
        for name in ("shown", "openings", "peaks", "fresh"):
            if name in arrays:
                setattr(detector, f"_{name}", arrays[name].copy())
        t, hour = (int(v) for v in arrays["clock"])
        detector._t, detector._hour = t, None if hour < 0 else hour
        detector.slow_changed = False
        return detector

    def part(self, which: np.ndarray) -> "Detector":
        """A detector of the series `which` (indices) alone, as they are."""
        arrays = {
            name: a
            if name == "clock"
            else a[:, which]
            if name in ("sums", "residuals")
            else a[which]
            for name, a in self.save().items()
        }
        part = Detector.load(arrays, self.bucket_minutes, self.rules)
        part.slow_changed = True
        return part

    @classmethod
    def joined(cls, parts: list["Detector"]) -> "Detector":
        """One detector of the series of `parts`, in their order.

        Parts that have judged different numbers of buckets (one relearned,
        one not) meet at the clock of the furthest: each one's windows are
        turned so its newest bucket lands where that clock puts it, and its
        hour blocks (`shift.py`) close when that clock's do from then on.
        They must have judged up to the same bucket."""
        first = max(range(len(parts)), key=lambda i: parts[i].steps)
        t = parts[first].steps
        saved = [p.save() for p in parts]
        arrays = {}
        for name in saved[0]:
            if name == "clock":
                arrays[name] = saved[first]["clock"]
            elif name in ("observed", "expected"):
                arrays[name] = np.concatenate(
                    [
                        np.roll(p._ordered(s[name]), t % p.history, axis=1)
                        for p, s in zip(parts, saved, strict=True)
                    ]
                )
            elif name in ("sums", "residuals"):
                arrays[name] = np.concatenate([s[name] for s in saved], axis=1)
            else:
                arrays[name] = np.concatenate([s[name] for s in saved])
        detector = cls.load(arrays, parts[first].bucket_minutes, parts[first].rules)
        detector.slow_changed = True
        return detector

    def grow(self, extra: int) -> None:
        """Add `extra` new series, with nothing learned yet, at the end."""
        if extra <= 0:
            return
        fresh = Detector(extra, self.bucket_minutes, self.rules)
        for part, fields in (
            ("baseline", _BASELINE),
            ("states", _STATES),
            ("dispersion", ("excess", "square", "hours")),
            ("blocks", ("observed", "expected", "current")),
        ):
            mine, theirs = getattr(self, part), getattr(fresh, part)
            for f in fields:
                joined = np.concatenate([getattr(mine, f), getattr(theirs, f)])
                setattr(mine, f, joined)
        for f in (
            "_observed",
            "_expected",
            "_clean",
            "_obs_sums",
            "_exp_sums",
            "last_p",
            "_may_alert",
            "resolved_now",
            "shifted_now",
            "_shown",
            "_openings",
            "_peaks",
            "_fresh",
        ):
            setattr(self, f, np.concatenate([getattr(self, f), getattr(fresh, f)]))
        self._sums = np.concatenate([self._sums, fresh._sums], axis=1)
        self._residuals = np.concatenate([self._residuals, fresh._residuals], axis=1)
        # Who is whose parent changes with the series: the caller sets it anew.
        self.family = None
        self.slow_changed = True

    def step(self, hour_of_week: int, counts: np.ndarray, prior=None):
        """Judge one bucket of counts (NaN where missing); returns its outputs.

        hour_of_week: 0 for Monday 00:00-00:59 UTC. Returns (expected, score,
        opened, ongoing) arrays over the series.
        """
        if self._hour is not None and hour_of_week != self._hour:
            self._learn()
        if self._cached_for != (hour_of_week, id(prior), id(self._family)):
            self._enter_hour(hour_of_week, prior)
        mu = self._mu
        missing = np.isnan(counts)
        x = np.where(missing, 0.0, counts)
        # A missing bucket adds nothing to either side of a window.
        m = np.where(missing, 0.0, mu)
        self._push(x, m)

        alpha = self.window_dispersion
        verdict = lifecycle.judge(
            self._obs_sums,
            self._exp_sums,
            alpha,
            self.lengths,
            self.rules,
            self.timing,
            self._may_alert & ~missing,
            self._recent_sums(),
            tested=max(self.population or 0, self.size),
        )
        was_ongoing = self.states.state == ONGOING
        age, cooling = self.states.age.copy(), self.states.cooldown > 0
        changes = lifecycle.advance(
            self.states,
            verdict,
            self.timing,
            ~missing,
            may_open=self._may_open(verdict.evidence),
        )
        self.last_p = verdict.p
        self.resolved_now = changes.resolved
        self.shifted_now = np.zeros(self.size, dtype=bool)
        self._accumulate(x, mu, ~missing, alpha)
        settled = self.baseline.overall_seen >= shift.AFTER_HOURS
        shift.add(self.blocks, x, self._mu_own, ~missing, self._may_alert & settled)
        if self._t % self._block == 0:
            self._rebaseline()
        ongoing = self.states.state == ONGOING
        self._openings += changes.opened
        self._peaks = np.where(
            ongoing, np.maximum(self._peaks, verdict.evidence), self._peaks
        )
        fresh = self._new_evidence(verdict.evidence)
        # Where it opens, a surprise ranks by the most it showed that was
        # new since it began: its declaring bucket may add little itself.
        # Kept only while a surprise goes on: elsewhere 0, which the saved
        # state compresses to nothing.
        fresh_so_far = np.maximum(self._fresh, fresh)
        going_on = verdict.surprising & (self.states.streak > 0)
        self._fresh = np.where(going_on, fresh_so_far, 0.0)
        score = significance.score(
            np.where(changes.opened, fresh_so_far, fresh),
            changes.opened,
            self._damping(was_ongoing, age, cooling),
        )
        return mu, score, changes.opened, ongoing

    def _may_open(self, evidence):
        """Which series may open an incident with this bucket's evidence.

        Once a series opened two incidents within about a day, its next
        opening needs more evidence than its incidents showed lately.
        """
        self._openings *= 0.5 ** (self.bucket_minutes / REPEAT_HALF_LIFE_MINUTES)
        self._peaks *= 0.5 ** (self.bucket_minutes / PEAK_HALF_LIFE_MINUTES)
        return (self._openings < REPEAT_OPENINGS) | (evidence > self._peaks)

    def _new_evidence(self, evidence):
        """What each bucket shows beyond what its series showed lately.

        Increasing in the bucket's evidence: the memory is the series' past,
        not this bucket. So the first bucket of a surprise ranks by all of its
        evidence, the rest of it by what they add.
        """
        keep = 0.5 ** (self.bucket_minutes / SCORE_MEMORY_MINUTES)
        recalled = self._shown * keep
        self._shown = np.maximum(recalled, evidence)
        return np.maximum(evidence - recalled, 0.0)

    def _recent_sums(self):
        """Observed and expected over the last `timing.recent` buckets."""
        back = (self._t - 1 - np.arange(self.timing.recent)) % self.history
        return self._observed[:, back].sum(axis=1), self._expected[:, back].sum(axis=1)

    def _damping(self, ongoing, age, cooling):
        """How new the evidence of each series' bucket is, in (0, 1]."""
        half_life = max(SCORE_HALF_LIFE_MINUTES / self.bucket_minutes, 1.0)
        open_for = 0.5 ** ((age + 1) / half_life)
        return np.where(ongoing, open_for, np.where(cooling, COOLDOWN_DAMPING, 1.0))

    def _rebaseline(self):
        shifted, factor = shift.close_block(self.blocks)
        if not shifted.any():
            return
        b = self.baseline
        b.level = np.clip(b.level * factor, baseline.MIN_LEVEL, baseline.MAX_LEVEL)
        self.slow_changed = True
        ended = lifecycle.end(self.states, shifted, self.timing)
        self.resolved_now = self.resolved_now | ended
        self.shifted_now = shifted
        shift.forget(self.blocks, shifted)
        # The windows and the expectation were measured against the old level.
        self._clean = np.where(shifted, 0, self._clean)
        self._cached_for = None

    def forgive(self, which: np.ndarray) -> np.ndarray:
        """Take what the series in `which` see now as their normal.

        For a false alarm: an operator says the traffic an incident was
        declared on is no outage. Like a learned shift, the level takes the
        ratio of observed to expected, here over the windows now (the
        largest but a lone bucket's, never below 1: the alarm was a rise),
        and any incident ends, but with no cool-down, so the series learns
        again from the next bucket on. The windows are judged against the
        new level at once, or the buckets that opened the incident would
        open the next one. Returns which series were in an incident.
        """
        which = np.asarray(which, dtype=bool)
        # From the ring, not the running sums: a detector just loaded has
        # none until its next bucket.
        observed = significance.window_sums(self._ordered(self._observed), self.lengths)
        expected = significance.window_sums(self._ordered(self._expected), self.lengths)
        longer = slice(1 if self.lengths.size > 1 else 0, None)
        ratio = (observed[:, longer] + shift.PSEUDO) / (
            expected[:, longer] + shift.PSEUDO
        )
        factor = np.where(which, np.maximum(ratio.max(axis=1), 1.0), 1.0)
        b = self.baseline
        level = np.clip(b.level * factor, baseline.MIN_LEVEL, baseline.MAX_LEVEL)
        # What the clip left of the factor is what the windows may take.
        factor = level / b.level
        b.level = level
        self.slow_changed = True
        self._expected *= factor[:, None]
        self._obs_sums, self._exp_sums = observed, expected * factor[:, None]
        ended = lifecycle.end(self.states, which, self.timing, cool_down=False)
        shift.forget(self.blocks, which)
        # The hour's sums so far and the windows' residuals were measured
        # against the old level: the hour learns from what comes next.
        self._sums[:, which] = 0
        self._residuals[:, which] = 0
        self._clean = np.where(which, 0, self._clean)
        self.last_p = np.where(which, 1.0, self.last_p)
        self._cached_for = None
        return ended

    def _enter_hour(self, hour_of_week, prior):
        self._hour = hour_of_week
        self._cached_for = (hour_of_week, id(prior), id(self._family))
        b = self.baseline
        # The hour with its neighbours (`baseline.smoothed`): the series' own
        # expectation, which the level is learned against, and the one it is
        # judged by.
        around = [
            self._expectations((hour_of_week + d) % HOURS_PER_WEEK, prior)
            for d in (-1, 0, 1)
        ]
        self._mu_own = baseline.smoothed(np.stack([own for own, _, _ in around]))
        self._mu = np.maximum(
            baseline.smoothed(np.stack([mu for _, mu, _ in around])), baseline.FLOOR
        )
        knows = around[1][2]
        self._known = baseline.known(b, hour_of_week)
        # Borrowing never shortens the warm-up: a series' scale is its own.
        warm = b.overall_seen >= self.rules.warmup_hours
        self._may_alert = warm & knows
        sd = np.sqrt(self._mu + b.dispersion * self._mu**2)
        # An hour never seen before is judged against the overall mean, which
        # misses the daily cycle: learned with a looser clip, not unclipped,
        # so a first-day outage does not become the hour's normal.
        # In its first day a series has no normal to clip against: it is
        # learned as it comes (and may not alert yet).
        loose = np.where(self._known, 1.0, 3.0)
        young = np.where(b.overall_seen < 24, np.inf, 0.0)
        self._cap = loose * self._mu + LEARN_CLIP_SD * sd + young
        # Recompute the running sums exactly now and then, against drift.
        self._obs_sums = significance.window_sums(
            self._ordered(self._observed), self.lengths
        )
        self._exp_sums = significance.window_sums(
            self._ordered(self._expected), self.lengths
        )
        # A re-baselined level changes the expectation of the buckets in the
        # windows too; they are rebuilt from the ring at the hour's start.

    def _expectations(self, hour_of_week, prior):
        """Every series' own expectation in an hour, the one it is judged by
        (borrowing, or shrunk towards `prior`), and whether it knows the hour."""
        b = self.baseline
        bph = self.buckets_per_hour
        own = np.maximum(baseline.own_expected(b, hour_of_week, bph), 0.0)
        if prior is not None:
            mu = baseline.expected(b, hour_of_week, prior, bph)
            return own, mu, np.ones(b.size, dtype=bool)
        if self._family is not None:
            return own, *borrowing.expected(b, self._family, hour_of_week, bph)
        return own, np.maximum(own, baseline.FLOOR), baseline.known(b, hour_of_week)

    def _ordered(self, ring):
        return np.roll(ring, -(self._t % self.history), axis=1)

    def _push(self, x, m):
        position = self._t % self.history
        leaving = (position - self.lengths) % self.history
        self._obs_sums += x[:, None] - self._observed[:, leaving]
        self._exp_sums += m[:, None] - self._expected[:, leaving]
        self._observed[:, position] = x
        self._expected[:, position] = m
        self._t += 1

    def _accumulate(self, x, mu, present, alpha):
        """Add this bucket to what the hour will learn, where it is normal."""
        calm = self.states.state == QUIET
        self._clean = np.where(calm & present, self._clean + 1, 0)
        # Outages, suspicions and their aftermath in the windows are kept out
        # of what is learned: a level shift is learned by re-baselining.
        learn = present & calm & (self.states.cooldown == 0)
        clipped = np.minimum(x, self._cap)
        self._sums += np.stack([clipped, self._mu_own, np.ones_like(x)]) * learn
        # Each window's residual, once it holds only clean buckets.
        whole = self._clean[:, None] >= self.lengths[None, :]
        whole &= learn[:, None]
        o, e = self._obs_sums, self._exp_sums
        # Far-out sums are clipped like the buckets (at 6 sd of the window):
        # the estimate must be robust to what slipped past the suspicion.
        sd = np.sqrt(np.maximum(e + alpha * e**2, 0.0))
        o = np.minimum(o, e + LEARN_CLIP_SD * sd)
        terms = np.stack([(o - e) ** 2 - e, e**2, np.ones_like(e)])
        self._residuals += terms * whole

    def _learn(self) -> None:
        x, mu, n = self._sums
        seen = n > 0
        safe = np.maximum(n, 1)
        baseline.learn_hour(
            self.baseline,
            self._hour,
            observed_mean=x / safe,
            expected_mean=mu / safe,
            include=seen,
        )
        excess, square, buckets = self._residuals
        dispersion.learn_hour(self.dispersion, excess, square, buckets, seen)
        self.baseline.dispersion = self.window_dispersion[:, 0].copy()
        self._sums[:] = 0
        self._residuals[:] = 0
        self._cached_for = None
        self.slow_changed = True

"""The detector's whole state for many series, advanced one bucket at a time.

Every caller steps the same `Detector`: the live cycle (all series, one
column of counts a minute), `replay` (a file or a benchmark's series) and the
history a new radar is taught. Causal by construction: a bucket's output is
computed before the bucket is learned, from state built only from earlier
buckets.
"""

import numpy as np

from outages.detection import baseline, borrowing, lifecycle, significance
from outages.detection.lifecycle import ONGOING, Rules

WINDOWS = significance.WINDOWS
HISTORY = max(WINDOWS)
_WINDOW_LENGTHS = np.array(WINDOWS)
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


class Detector:
    """The detector's whole state for S series, advanced one bucket at a time.

    The expectation changes only when an hour is learned, so it is computed
    once per hour; window sums are kept running, so a bucket costs a few
    vector operations whatever the windows. With a `family` (who is whose
    parent; not part of the saved state) series with little history borrow
    their expectation from their parents (`borrowing`).
    """

    def __init__(self, size: int, bucket_minutes: float, rules: Rules | None = None):
        self.rules = rules or Rules()
        self.bucket_minutes = bucket_minutes
        self.baseline = baseline.new_baseline(size)
        self.states = lifecycle.new_states(size)
        # The last HISTORY buckets, as a ring: position t % HISTORY.
        self._observed = np.zeros((size, HISTORY))
        self._expected = np.zeros((size, HISTORY))
        self._obs_sums = np.zeros((size, len(WINDOWS)))
        self._exp_sums = np.zeros((size, len(WINDOWS)))
        self._t = 0
        self._hour: int | None = None
        self._cached_for = None  # (hour, prior, family) of the expectation
        self._family: borrowing.Family | None = None
        self._sums = np.zeros((5, size))  # x, mu, excess variance, mu^2, count
        self.last_p = np.ones(size)
        self.resolved_now = np.zeros(size, dtype=bool)
        self._may_alert = np.zeros(size, dtype=bool)

    @property
    def size(self) -> int:
        return self.baseline.size

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
        """Sums over each window of the last buckets, (S, len(WINDOWS))."""
        return self._obs_sums

    @property
    def window_expected(self) -> np.ndarray:
        return self._exp_sums

    @property
    def learned(self) -> np.ndarray:
        """Which series know enough of normal to be judged (after a step)."""
        return self._may_alert

    def save(self) -> dict[str, np.ndarray]:
        """The whole state as named arrays (for np.savez)."""
        arrays = {f"baseline_{f}": getattr(self.baseline, f) for f in _BASELINE}
        arrays.update(
            state=self.states.state,
            streak=self.states.streak,
            calm=self.states.calm,
            observed=self._observed,
            expected=self._expected,
            sums=self._sums,
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
        for f in _BASELINE:
            setattr(detector.baseline, f, arrays[f"baseline_{f}"].copy())
        detector.states = lifecycle.States(
            arrays["state"].copy(), arrays["streak"].copy(), arrays["calm"].copy()
        )
        detector._observed = arrays["observed"].copy()
        detector._expected = arrays["expected"].copy()
        detector._sums = arrays["sums"].copy()
        t, hour = (int(v) for v in arrays["clock"])
        detector._t, detector._hour = t, None if hour < 0 else hour
        return detector

    def grow(self, extra: int) -> None:
        """Add `extra` new series, with nothing learned yet, at the end."""
        if extra <= 0:
            return
        fresh = Detector(extra, self.bucket_minutes, self.rules)
        for f in _BASELINE:
            old, new = getattr(self.baseline, f), getattr(fresh.baseline, f)
            setattr(self.baseline, f, np.concatenate([old, new]))
        for f in ("state", "streak", "calm"):
            old, new = getattr(self.states, f), getattr(fresh.states, f)
            setattr(self.states, f, np.concatenate([old, new]))
        self._observed = np.concatenate([self._observed, fresh._observed])
        self._expected = np.concatenate([self._expected, fresh._expected])
        self._obs_sums = np.concatenate([self._obs_sums, fresh._obs_sums])
        self._exp_sums = np.concatenate([self._exp_sums, fresh._exp_sums])
        self._sums = np.concatenate([self._sums, fresh._sums], axis=1)
        self.last_p = np.concatenate([self.last_p, fresh.last_p])
        self._may_alert = np.concatenate([self._may_alert, fresh._may_alert])
        self.resolved_now = np.concatenate([self.resolved_now, fresh.resolved_now])
        # Who is whose parent changes with the series: the caller sets it anew.
        self.family = None

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

        verdict = lifecycle.judge(
            self._obs_sums,
            self._exp_sums,
            self.baseline.dispersion,
            self.rules,
            self._may_alert & ~missing,
        )
        changes = lifecycle.advance(
            self.states, verdict, self.rules, self.bucket_minutes
        )
        ongoing = self.states.state == ONGOING
        self.last_p = verdict.p
        self.resolved_now = changes.resolved
        self._accumulate(x, ~missing, ongoing)
        return mu, significance.score(verdict.p), changes.opened, ongoing

    def _enter_hour(self, hour_of_week, prior):
        self._hour = hour_of_week
        self._cached_for = (hour_of_week, id(prior), id(self._family))
        b = self.baseline
        # The series' own expectation, which the level is learned against.
        self._mu_own = baseline.expected(b, hour_of_week)
        self._known = baseline.known(b, hour_of_week)
        if prior is not None:
            self._mu = baseline.expected(b, hour_of_week, prior, self.buckets_per_hour)
            knows = np.ones(b.size, dtype=bool)
        elif self._family is not None:
            self._mu, knows = borrowing.expected(
                b, self._family, hour_of_week, self.buckets_per_hour
            )
        else:
            self._mu, knows = self._mu_own, self._known
        # Borrowing never shortens the warm-up: a series' scale is its own.
        warm = b.overall_seen >= self.rules.warmup_hours
        self._may_alert = warm & knows
        sd = np.sqrt(self._mu + self.baseline.dispersion * self._mu**2)
        # Clip what is learned to mu + 3 sd (mu + 1 sd inside an incident),
        # so an outage barely moves the baseline while a lasting change, which
        # an incident that never ends would otherwise hide, is still learned.
        # An hour never seen before is learned as it comes.
        unseen = np.where(self._known, 0.0, np.inf)
        self._cap = self._mu + 3 * sd + 1 + unseen
        self._cap_ongoing = self._mu + sd + 1 + unseen
        # Recompute the running sums exactly now and then, against drift.
        self._obs_sums = significance.window_sums(self._ordered(self._observed))
        self._exp_sums = significance.window_sums(self._ordered(self._expected))

    def _ordered(self, ring):
        return np.roll(ring, -(self._t % HISTORY), axis=1)

    def _push(self, x, m):
        position = self._t % HISTORY
        leaving = (position - _WINDOW_LENGTHS) % HISTORY
        self._obs_sums += x[:, None] - self._observed[:, leaving]
        self._exp_sums += m[:, None] - self._expected[:, leaving]
        self._observed[:, position] = x
        self._expected[:, position] = m
        self._t += 1

    def _accumulate(self, x, learn, ongoing):
        mu = self._mu
        x = np.minimum(x, np.where(ongoing, self._cap_ongoing, self._cap))
        # The level follows the series' own expectation; the dispersion is
        # that of the counts around the expectation they are judged against.
        own = self._mu_own
        terms = np.stack([x, own, (x - mu) ** 2 - mu, mu**2, np.ones_like(x)])
        self._sums += terms * learn

    def _learn(self) -> None:
        x, mu, excess, mu2, n = self._sums
        seen = n > 0
        safe = np.maximum(n, 1)
        baseline.learn_hour(
            self.baseline,
            self._hour,
            observed_mean=x / safe,
            expected_mean=mu / safe,
            excess_variance=excess / safe,
            expected_square=mu2 / safe,
            include=seen,
        )
        self._sums[:] = 0
        self._cached_for = None

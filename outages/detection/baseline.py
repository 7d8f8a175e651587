"""What is normal: the expected count per bucket, per series.

Each series keeps three profiles of its mean count per bucket: by hour of the
week (168 slots), by hour of the day (24) and overall. The expectation uses
the most specific profile that has been seen often enough, times a slowly
moving level that follows growth or decline. A series with little history of
its own can be shrunk towards a prior (`shrink`); `borrowing` makes that
prior from the series' parent (a country from the world, a new service from
its category).

Profiles learn once per completed hour from the hour's mean over the
buckets outside incidents and suspicions (see `detector.Detector`), each
clipped far out (a burst that opened nothing should not teach a busy hour),
so an outage does not teach the baseline that outages are normal; a lasting
change is learned by re-baselining the level instead (`shift`). State is a handful of
arrays, so a cycle over many series is a few vectorised passes.
"""

from dataclasses import dataclass

import numpy as np

from outages.detection.clock import HOURS_PER_WEEK

# How many past weeks a profile slot remembers, roughly (exponential weights).
WEEKS_REMEMBERED = 4
# The level follows the ratio of observed to expected over about this many
# hours: fast enough to follow growth, too slow to follow an outage.
LEVEL_HOURS = 48
MIN_LEVEL, MAX_LEVEL = 1e-3, 1e3
# What borrowing counts as a weekly slot's support: seen this many times.
MIN_SEEN = 2
# Never expect less than this per bucket: a series that has always been
# silent is not infinitely surprised by its first report.
FLOOR = 1e-3
# A prior weighs as much as this many reporters of a series' own history: a
# gamma prior with a coefficient of variation of 1 / sqrt(4) = 50 %, about
# how far a series' hour may stray from its parent's shape (time zones,
# audiences) once its scale is known.
PRIOR_REPORTERS = 4.0


@dataclass
class Baseline:
    """Per-series state; every array has the series on its first axis."""

    weekly: np.ndarray  # (S, 168) mean count per bucket in that hour of week
    weekly_seen: np.ndarray  # (S, 168) hours learned into each slot
    daily: np.ndarray  # (S, 24)
    daily_seen: np.ndarray  # (S, 24)
    overall: np.ndarray  # (S,)
    overall_seen: np.ndarray  # (S,)
    level: np.ndarray  # (S,) multiplies the profile: >1 when growing
    # (S,) of one bucket, negative binomial: var = mu + dispersion * mu^2;
    # a copy of what `dispersion` learned, for borrowing and the charts.
    dispersion: np.ndarray

    @property
    def size(self) -> int:
        return self.overall.shape[0]


def new_baseline(size: int) -> Baseline:
    return Baseline(
        weekly=np.zeros((size, HOURS_PER_WEEK)),
        weekly_seen=np.zeros((size, HOURS_PER_WEEK), dtype=np.int32),
        daily=np.zeros((size, 24)),
        daily_seen=np.zeros((size, 24), dtype=np.int32),
        overall=np.zeros(size),
        overall_seen=np.zeros(size, dtype=np.int32),
        level=np.ones(size),
        dispersion=np.full(size, 0.5),
    )


def profile(
    b: Baseline, hour_of_week: int, buckets_per_hour: float = 60.0
) -> tuple[np.ndarray, np.ndarray]:
    """The de-levelled mean per bucket for this hour, and whether it is known.

    The hour of the week, shrunk towards the hour of the day, shrunk towards
    the overall mean, each by how much it rests on: the hours it has seen
    (a slot seen once may have been a holiday) and the reporters in them (a
    quiet series' slot of two hours holds a handful of people). So a busy
    series soon follows its weekly shape, a quiet one its daily or overall
    mean, with no step where one profile takes over from the next.
    """
    hour_of_day = hour_of_week % 24
    overall = b.overall
    daily_weight = _weight(
        b.daily_seen[:, hour_of_day], DAILY_HOURS, overall, b, buckets_per_hour
    )
    # On a log scale: a slot seen a few times keeps a share of the overall
    # mean, which for a series near 0 at night and busy by day (a service
    # that opens at nine) is many times the night.
    pseudo = LOG_PSEUDO_PER_HOUR / max(buckets_per_hour, 1.0)
    log_overall = np.log(overall + pseudo)
    log_daily = np.log(b.daily[:, hour_of_day] + pseudo)
    daily = np.exp(log_overall + daily_weight * (log_daily - log_overall)) - pseudo
    weekly_weight = _weight(
        b.weekly_seen[:, hour_of_week], WEEKLY_HOURS, daily, b, buckets_per_hour
    )
    mean = daily + weekly_weight * (b.weekly[:, hour_of_week] - daily)
    return mean, known(b, hour_of_week)


# A profile slot weighs its seen hours against this many hours of the next
# coarser profile: a weekly slot seen twice is trusted two thirds (one
# sighting may have been a holiday), a daily slot seen once four fifths
# (the daily cycle is most of what the overall mean misses).
WEEKLY_HOURS = 1.0
DAILY_HOURS = 0.25
# The hour of the day is shrunk towards the overall mean on a log scale, with
# this many reporters an hour added to both so that an empty hour is finite.
# Shrunk linearly, a daily slot seen three times kept 8 % of the overall
# mean: at night, ten times what a service that opens at nine sees, and
# three such nights made the level-shift rule cut the level tenfold and the
# next opening alarm.
LOG_PSEUDO_PER_HOUR = 0.5


def _weight(seen, prior_hours, prior_mean, b, buckets_per_hour):
    hours = np.minimum(seen, 2 * WEEKS_REMEMBERED * 7 - 1).astype(float)
    levelled = np.maximum(prior_mean * b.level, 0.0)
    informative = levelled / (1.0 + b.dispersion * levelled)
    reporters = hours * max(buckets_per_hour, 1.0) * informative
    return (hours / (hours + prior_hours)) * (reporters / (reporters + PRIOR_REPORTERS))


def own_expected(
    b: Baseline, hour_of_week: int, buckets_per_hour: float = 60.0
) -> np.ndarray:
    """The series' own expectation per bucket (profile x level), not floored."""
    mean, _ = profile(b, hour_of_week, buckets_per_hour)
    return mean * b.level


def expected(
    b: Baseline,
    hour_of_week: int,
    prior: np.ndarray | float | None = None,
    buckets_per_hour: float = 60.0,
) -> np.ndarray:
    """Expected count per bucket for each series in this hour of the week.

    `prior` is what a series with little history should expect this hour
    (for example its share of its parent's expectation); the series' own
    profile is shrunk towards it by how much history backs that profile.
    """
    mu = own_expected(b, hour_of_week, buckets_per_hour)
    if prior is not None:
        prior = np.broadcast_to(np.asarray(prior, dtype=float), mu.shape)
        hours = support_hours(b, hour_of_week)
        mu = shrink(mu, prior, hours, b.dispersion, buckets_per_hour)
    return np.maximum(mu, FLOOR)


# Each hour's expectation leans this much on each neighbouring hour. A
# profile slot is learned from one hour's mean a week (or a day), which is
# noisy where reports come in waves, and neighbouring hours are much alike:
# the binomial kernel (1/4, 1/2, 1/4) leaves 3/8 of the slot's noise
# variance, for a bias only where the daily shape bends sharply.
NEIGHBOUR_WEIGHT = 0.25


def smoothed(around: np.ndarray) -> np.ndarray:
    """An hour's expectation from the previous, this and the next hour's
    (`around`, shaped (3, S))."""
    previous, this, following = around
    return (1 - 2 * NEIGHBOUR_WEIGHT) * this + NEIGHBOUR_WEIGHT * (previous + following)


def support_hours(b: Baseline, hour_of_week: int) -> np.ndarray:
    """How many learned hours the profile used for this hour rests on.

    A slot that gives its newest hour a weight of 1/k weighs like about
    2k - 1 equal hours. 0 when the profile falls back to the overall mean,
    which says nothing about this hour.
    """
    hour_of_day = hour_of_week % 24
    weekly = b.weekly_seen[:, hour_of_week]
    daily = b.daily_seen[:, hour_of_day]
    return np.where(
        weekly >= MIN_SEEN,
        np.minimum(weekly, 2 * WEEKS_REMEMBERED - 1),
        np.where(daily >= 1, np.minimum(daily, 2 * WEEKS_REMEMBERED * 7 - 1), 0),
    )


def shrink(own, prior, hours, dispersion, buckets_per_hour: float = 60.0):
    """A series' own mean per bucket shrunk towards a prior mean.

    The gamma-Poisson posterior mean: the prior counts as PRIOR_REPORTERS
    reporters, the own mean as the reporters the prior expects in the
    `hours` behind it, each bucket discounted for over-dispersion (a
    negative binomial bucket tells as much as mu / (1 + dispersion * mu)
    Poisson reporters). A busy series keeps its own profile after an hour or
    two; a quiet one leans on the prior for weeks.
    """
    prior = np.maximum(prior, 0.0)
    informative = prior / (1.0 + dispersion * prior)
    reporters = hours * max(buckets_per_hour, 1.0) * informative
    own_weight = reporters / (reporters + PRIOR_REPORTERS)
    return own_weight * own + (1.0 - own_weight) * prior


def known(b: Baseline, hour_of_week: int) -> np.ndarray:
    """Whether each series has seen this hour of the day before: until then
    the overall mean stands in, a guess that misses the daily cycle."""
    return b.daily_seen[:, hour_of_week % 24] >= 1


def learn_hour(
    b: Baseline,
    hour_of_week: int,
    observed_mean: np.ndarray,
    expected_mean: np.ndarray,
    include: np.ndarray,
) -> None:
    """Fold one completed hour into the state of the series in `include`.

    observed_mean, expected_mean: the hour's mean count and mean own
    expectation per bucket, over the buckets to learn from. Series outside
    `include` (in an incident all hour, or with no data) keep their state.
    The dispersion is learned apart (`dispersion`).
    """
    hour_of_day = hour_of_week % 24
    x = np.where(include, observed_mean, 0.0)
    # The level learns only against an expectation that knew this hour of
    # the day, after a day: before that the expectation is the overall mean
    # and its misses are the daily cycle, not the level (learning them
    # would scale the hours learned first by whatever the level became).
    had_profile = (b.daily_seen[:, hour_of_day] >= 1) & (b.overall_seen >= 24)

    # Level first, from how far the hour was off its (levelled) expectation;
    # robust to a single odd hour by clipping the ratio. A lasting change
    # larger than this follows faster, by re-baselining (`shift`).
    base = expected_mean / np.maximum(b.level, 1e-9)
    ratio = np.clip(
        (x + 0.5) / (expected_mean + 0.5), 0.5, 2.0
    )  # +0.5 keeps sparse hours from swinging it
    step = np.where(include & had_profile & (base > 0), 1.0 / LEVEL_HOURS, 0.0)
    b.level = np.clip(b.level * (1 + step * (ratio - 1)), MIN_LEVEL, MAX_LEVEL)

    # Profiles learn the de-levelled value, so growth is not counted twice.
    value = x / b.level
    _learn(b.weekly, b.weekly_seen, hour_of_week, value, include, WEEKS_REMEMBERED)
    _learn(b.daily, b.daily_seen, hour_of_day, value, include, WEEKS_REMEMBERED * 7)
    rate = np.maximum(1.0 / (b.overall_seen + 1), 1.0 / (WEEKS_REMEMBERED * 168))
    rate = np.where(include, rate, 0.0)
    b.overall += rate * (value - b.overall)
    b.overall_seen += include


def _learn(profile, seen, slot, value, include, memory):
    n = seen[:, slot]
    rate = np.maximum(1.0 / (n + 1), 1.0 / memory)
    rate = np.where(include, rate, 0.0)
    profile[:, slot] += rate * (value - profile[:, slot])
    seen[:, slot] = n + include

"""A labelled simulator of report counts, for tests, benchmarks and the demo.

NumPy (and one SciPy filter): each series is distinct reporters per bucket
with daily and weekly cycles, over-dispersion (a gamma-Poisson mixture),
noise that comes in waves (a log-normal factor correlated over minutes, so
neighbouring buckets are busy together, as real reports are), a slowly
wandering level, outages of varied size, duration and ramp, and hard
negatives that must not alert: gradual growth, holidays, a lasting level
shift, short bursts (a link shared in a chat: a few minutes, gone as quickly
as they came), missing data and one client reporting over and over (which
distinct-reporter counting turns into +1).

An outage adds `max((m - 1) * rate, floor)` reporters per bucket at its peak,
m drawn from 3x to 30x: on a service with 0.05 reports a minute, "3x" alone
is not something anyone would notice, so an outage always brings at least a
few people a minute.
"""

from dataclasses import dataclass, field

import numpy as np
from scipy import signal

MINUTES_PER_WEEK = 7 * 24 * 60
# 2026-01-05 was a Monday: simulated time starts at a week boundary.
START_EPOCH_MINUTE = 29_459_520


@dataclass(frozen=True)
class Outage:
    onset: int  # first bucket of the outage
    end: int  # first bucket after it
    magnitude: float  # peak multiple of the normal rate
    # The noise-free reporters it adds per bucket, ramp included.
    extra: np.ndarray = field(compare=False, repr=False, default=None)


@dataclass
class Series:
    values: np.ndarray  # distinct reporters per bucket; NaN where missing
    rate: np.ndarray  # the noise-free normal rate per bucket
    outages: list[Outage] = field(default_factory=list)
    negatives: list[str] = field(default_factory=list)


def simulate_series(
    rng: np.random.Generator,
    weeks: float = 4,
    base_rate: float | None = None,
    outages: int | None = None,
    hard_negatives: bool = True,
    bucket_minutes: int = 1,
) -> Series:
    length = int(weeks * MINUTES_PER_WEEK / bucket_minutes)
    minutes = np.arange(length) * bucket_minutes
    if base_rate is None:
        base_rate = float(np.exp(rng.uniform(np.log(0.05), np.log(300))))
    base = base_rate * bucket_minutes

    hour = (minutes / 60.0 + rng.uniform(0, 24)) % 24  # a time zone of its own
    daily = 1 + rng.uniform(0.3, 0.9) * np.cos(
        2 * np.pi * (hour - rng.uniform(17, 22)) / 24
    )
    day = (minutes // 1440) % 7
    weekly = np.where(day >= 5, rng.uniform(0.7, 1.3), 1.0)
    # A level that wanders a few percent over days.
    steps = rng.normal(0, 0.02, size=length // 60 + 2).cumsum()
    wander = np.exp(np.repeat(steps, 60)[:length] - steps.mean())
    rate = base * daily * weekly * wander

    negatives = []
    if hard_negatives:
        if rng.random() < 0.3:
            growth = np.linspace(0, np.log(rng.uniform(1.5, 2.5)), length)
            rate = rate * np.exp(growth)
            negatives.append("growth")
        if rng.random() < 0.3:
            start = int(rng.integers(length // 2, length - 1440 // bucket_minutes))
            holiday = slice(start, start + 1440 // bucket_minutes)
            rate[holiday] *= rng.uniform(1.3, 1.8)
            negatives.append("holiday")

    if hard_negatives and rng.random() < 0.2:
        # A lasting change below any outage (a new market, a lost one),
        # reached over up to two hours: learned, never alerted.
        start = int(rng.integers(length // 3, length - 1440 // bucket_minutes))
        ramp = int(rng.integers(1, 120)) // bucket_minutes + 1
        factor = rng.uniform(1.3, 2.2) ** rng.choice([-1.0, 1.0])
        rate = rate * factor ** np.clip((np.arange(length) - start) / ramp, 0, 1)
        negatives.append("shift")

    shape = rng.uniform(2, 20)  # gamma shape: dispersion 1/shape
    waves = _waves(rng, length, bucket_minutes)
    values = rng.poisson(rng.gamma(shape, rate * waves / shape)).astype(float)

    found = []
    count = rng.integers(0, 4) if outages is None else outages
    for _ in range(count):
        outage = _outage(rng, rate, length, bucket_minutes, taken=found)
        if outage is None:
            continue
        onset, end, extra = outage
        values[onset:end] += rng.poisson(extra)
        magnitude = float((extra.max() + rate[onset]) / rate[onset])
        found.append(Outage(onset, end, magnitude, extra))

    if hard_negatives and rng.random() < 0.3:
        # Bursts of 1-4 minutes: many people at once, then nobody extra.
        for _ in range(int(rng.integers(1, 4))):
            span = int(rng.integers(1, 5)) // bucket_minutes + 1
            start = int(rng.integers(0, length - span))
            if any(o.onset - 60 <= start < o.end + 60 for o in found):
                continue
            extra = max(rng.uniform(2, 10) * rate[start], rng.uniform(3, 15))
            values[start : start + span] += rng.poisson(extra * bucket_minutes, span)
        negatives.append("burst")
    if hard_negatives and rng.random() < 0.3:
        # One client reporting every minute for an hour counts once per
        # de-duplication window: at most +1 now and then.
        start = int(rng.integers(0, length - 60))
        values[start : start + 60 : 30] += 1
        negatives.append("spam")
    if hard_negatives and rng.random() < 0.3:
        gap = int(rng.integers(10, 360)) // bucket_minutes + 1
        start = int(rng.integers(0, length - gap))
        if not any(o.onset - gap <= start < o.end for o in found):
            values[start : start + gap] = np.nan
            negatives.append("missing")
    return Series(
        values=values,
        rate=rate,
        outages=sorted(found, key=lambda o: o.onset),
        negatives=negatives,
    )


@dataclass
class Places:
    """A service worldwide, its countries and one subdivision of each."""

    series: list[Series]  # the world first, then each country and its subdivision
    parent: np.ndarray  # index of each series' parent, -1 for the world
    level: list[str]  # "world", "country" or "subdivision"


def simulate_places(
    rng: np.random.Generator, countries: int = 5, weeks: float = 4
) -> Places:
    """A service's world series with `countries` countries, each holding one
    subdivision: as the radar counts them, a report counts in all three.

    Countries get Dirichlet shares of the world (many small ones), each its
    own time zone, noise, outages and hard negatives; the rest of the world
    is quiet noise. A subdivision gets a share of its country's reporters
    (binomial thinning), outages included, so both are labelled with the
    country's outages, and the world with all of them.
    """
    world_rate = float(np.exp(rng.uniform(np.log(1), np.log(300))))
    shares = rng.dirichlet(np.full(countries + 1, 0.5))
    rest = simulate_series(
        rng, weeks, max(world_rate * shares[-1], 0.01), 0, hard_negatives=False
    )
    world = Series(rest.values.copy(), rest.rate.copy())
    found, parent, level = [world], [-1], ["world"]
    for share in shares[:-1]:
        country = simulate_series(rng, weeks, max(world_rate * share, 0.005))
        part = rng.uniform(0.1, 0.4)
        counts = np.nan_to_num(country.values).astype(np.int64)
        values = rng.binomial(counts, part).astype(float)
        values[np.isnan(country.values)] = np.nan
        thinned = [
            Outage(o.onset, o.end, o.magnitude, o.extra * part) for o in country.outages
        ]
        subdivision = Series(
            values, country.rate * part, thinned, list(country.negatives)
        )
        # A missing minute is missing everywhere: the radar did not count it.
        world.values[np.isnan(country.values)] = np.nan
        world.values += np.nan_to_num(country.values)
        world.rate += country.rate
        world.outages += country.outages
        parent += [0, len(found)]
        found += [country, subdivision]
        level += ["country", "subdivision"]
    # Seen from the world, a country's outage is a smaller multiple.
    world.outages = sorted(
        (
            Outage(
                o.onset, o.end, float(1 + o.extra.max() / world.rate[o.onset]), o.extra
            )
            for o in world.outages
        ),
        key=lambda o: o.onset,
    )
    return Places(found, np.array(parent), level)


def _waves(rng, length, bucket_minutes):
    """A log-normal factor of mean 1, correlated over 2-30 minutes, with a
    spread of 0-30 %: reports that arrive in waves, not independently."""
    sd = rng.uniform(0.0, 0.3)
    phi = np.exp(-bucket_minutes / rng.uniform(2, 30))
    shocks = rng.normal(0.0, sd * np.sqrt(1 - phi**2), length)
    shocks[0] = rng.normal(0.0, sd)
    z = signal.lfilter([1.0], [1.0, -phi], shocks)
    return np.exp(z - sd**2 / 2)


def _outage(rng, rate, length, bucket_minutes, taken):
    """An outage's (onset, end, extra rate per bucket), clear of the others."""
    duration = int(np.exp(rng.uniform(np.log(10), np.log(360)))) // bucket_minutes + 1
    # Leave the first week to learn from: a detector cannot know normal yet.
    first = MINUTES_PER_WEEK // bucket_minutes
    if first + duration >= length:
        return None
    onset = int(rng.integers(first, length - duration))
    if any(onset - 180 < o.end and o.onset < onset + duration + 180 for o in taken):
        return None
    magnitude = float(np.exp(rng.uniform(np.log(3), np.log(30))))
    floor = rng.uniform(2, 6) * bucket_minutes
    peak = np.maximum((magnitude - 1) * rate[onset : onset + duration], floor)
    ramp = 1 if rng.random() < 0.6 else int(rng.integers(5, 30)) // bucket_minutes + 1
    shape = np.minimum(1.0, (np.arange(duration) + 1) / ramp)
    return onset, onset + duration, peak * shape

"""A second generator of labelled counts, written apart from the project's.

`outages/detection/simulation.py` is what the detector was built beside; a
benchmark on it alone measures the simulator. This one draws counts from
other families, so that what holds on both is more likely to hold on data
nobody here has seen:

- `reports`: distinct reporters per minute, as the radar counts them. The
  daily shape is two bumps (a morning and an evening one) on a floor, not a
  cosine; the noise is a log-normal AR(1) factor (autocorrelated for minutes
  to an hour, so reports arrive in waves) on top of a Poisson count, not an
  independent gamma; hard negatives are chat-link bursts of 1-5 minutes,
  holidays (up or down), level shifts with ramps, gaps, and a slow drift.
  Outages rise sharply or over up to an hour, then plateau, decay or both.
- `mentions`: mentions of a company per 5 minutes: business-hours shapes,
  a weekly rhythm, heavy-tailed noise (retweet cascades: short spikes with a
  power-law size that are normal there and unlabelled), and labelled news
  events: a jump of 4-60x that decays over 30 minutes to a day, sometimes
  leaving a higher level behind. Labelled as NAB labels its series: one
  window per event, centred on it, the windows together a tenth of the
  series.

Both return `Labelled` rows: values (NaN where missing), the onset and end
bucket of each labelled event and the hard negatives by kind. Pure NumPy.
"""

from dataclasses import dataclass, field

import numpy as np
from scipy.signal import lfilter

# 2025-03-03 was a Monday.
START_EPOCH_MINUTE = 29_018_880
DAY = 1440


@dataclass
class Labelled:
    values: np.ndarray  # per bucket; NaN where missing
    bucket_minutes: int
    events: list[tuple[int, int]]  # [onset, end) buckets of each labelled event
    magnitudes: list[float] = field(default_factory=list)
    negatives: dict[str, list[tuple[int, int]]] = field(default_factory=dict)
    base_rate: float = 0.0  # normal count per bucket, typical

    @property
    def length(self) -> int:
        return self.values.size


def _bumps(hours: np.ndarray, rng) -> np.ndarray:
    """A daily shape: a floor and two von Mises bumps, mean about 1."""
    floor = rng.uniform(0.05, 0.4)
    shape = np.full(hours.shape, floor)
    for centre, weight in (
        (rng.uniform(7, 11), rng.uniform(0.3, 1.0)),
        (rng.uniform(17, 22), 1.0),
    ):
        kappa = rng.uniform(1.0, 4.0)
        shape += weight * np.exp(
            kappa * (np.cos(2 * np.pi * (hours - centre) / 24) - 1)
        )
    return shape / shape.mean()


def _ar1_log(rng, length: int, tau: float, sd: float) -> np.ndarray:
    """exp of an AR(1) with correlation time `tau` buckets and marginal sd `sd`."""
    if sd <= 0:
        return np.ones(length)
    phi = np.exp(-1.0 / max(tau, 1e-9))
    shocks = rng.normal(0.0, sd * np.sqrt(1 - phi**2), length)
    start = rng.normal(0.0, sd)
    z = lfilter([1.0], [1.0, -phi], shocks, zi=[start * phi])[0]
    return np.exp(z - sd**2 / 2)


def reports(
    rng: np.random.Generator, days: float = 28, bucket_minutes: int = 1
) -> Labelled:
    """Distinct reporters per bucket, with labelled outages and hard negatives."""
    length = int(days * DAY / bucket_minutes)
    minutes = np.arange(length) * bucket_minutes
    base = float(np.exp(rng.uniform(np.log(0.02), np.log(500)))) * bucket_minutes
    offset = rng.uniform(0, 24)
    hours = (minutes / 60 + offset) % 24
    day = ((minutes / 60 + offset) // 24).astype(int)
    shape = _bumps(hours, rng)
    weekend = np.where(day % 7 >= 5, rng.uniform(0.6, 1.4), 1.0)
    drift = np.exp(np.linspace(0, rng.normal(0, 0.3), length))
    rate = base * shape * weekend * drift
    negatives: dict[str, list[tuple[int, int]]] = {}

    if rng.random() < 0.35:  # a holiday: a day busier or quieter than usual
        start = int(rng.integers(7, int(days) - 1)) * DAY // bucket_minutes
        span = DAY // bucket_minutes
        rate[start : start + span] *= rng.choice(
            [rng.uniform(0.4, 0.8), rng.uniform(1.3, 2.0)]
        )
        negatives["holiday"] = [(start, start + span)]
    if rng.random() < 0.3:  # a lasting level shift, reached over a ramp
        start = int(rng.integers(8 * DAY, int(days - 3) * DAY)) // bucket_minutes
        ramp = max(1, int(rng.uniform(0, 120)) // bucket_minutes)
        factor = float(
            np.exp(rng.uniform(np.log(1.3), np.log(2.5))) ** rng.choice([-1, 1])
        )
        step = np.clip((np.arange(length) - start) / ramp, 0, 1)
        rate *= factor**step
        negatives["level_shift"] = [(start, start + ramp + 360 // bucket_minutes)]

    wave = _ar1_log(
        rng, length, rng.uniform(5, 60) / bucket_minutes, rng.uniform(0.0, 0.35)
    )
    mean = rate * wave
    values = rng.poisson(mean).astype(float)

    bursts = []
    for _ in range(rng.poisson(1.5)):  # a link in a chat: gone as it came
        start = int(rng.integers(DAY // bucket_minutes, length - 10))
        span = max(1, int(rng.integers(1, 6)) // bucket_minutes)
        extra = max(
            rng.uniform(2, 12) * rate[start], rng.uniform(4, 25) * bucket_minutes
        )
        values[start : start + span] += rng.poisson(extra, span)
        bursts.append((start, start + span))
    if bursts:
        negatives["burst"] = bursts

    events, magnitudes = [], []
    first = 7 * DAY // bucket_minutes
    for _ in range(int(rng.integers(0, 4))):
        duration = (
            int(np.exp(rng.uniform(np.log(12), np.log(480)))) // bucket_minutes + 1
        )
        onset = int(rng.integers(first, length - duration - 1))
        taken = events + bursts + negatives.get("level_shift", [])
        gap = 240 // bucket_minutes
        if any(onset - gap < b and a < onset + duration + gap for a, b in taken):
            continue
        magnitude = float(np.exp(rng.uniform(np.log(2.5), np.log(40))))
        floor = rng.uniform(2, 8) * bucket_minutes
        t = np.arange(duration)
        rise = max(1, int(rng.choice([1, 1, rng.uniform(3, 60)])) // bucket_minutes)
        kind = rng.choice(["plateau", "decay", "both"])
        envelope = np.minimum(1.0, (t + 1) / rise)
        if kind != "plateau":
            envelope *= np.exp(
                -np.maximum(t - rise, 0) / max(duration / rng.uniform(1, 3), 1)
            )
        extra = (
            np.maximum((magnitude - 1) * rate[onset : onset + duration], floor)
            * envelope
        )
        values[onset : onset + duration] += rng.poisson(
            extra * wave[onset : onset + duration]
        )
        events.append((onset, onset + duration))
        magnitudes.append(magnitude)

    gaps = []
    if rng.random() < 0.3:
        span = max(
            1, int(np.exp(rng.uniform(np.log(5), np.log(360)))) // bucket_minutes
        )
        start = int(rng.integers(DAY // bucket_minutes, length - span))
        if not any(start - span <= a < start + span + 30 for a, _ in events):
            values[start : start + span] = np.nan
            gaps.append((start, start + span))
    if gaps:
        negatives["gap"] = gaps
    order = np.argsort([a for a, _ in events]) if events else []
    return Labelled(
        values=values,
        bucket_minutes=bucket_minutes,
        events=[events[i] for i in order],
        magnitudes=[magnitudes[i] for i in order],
        negatives=negatives,
        base_rate=base,
    )


def mentions(
    rng: np.random.Generator, days: float = 56, bucket_minutes: int = 5
) -> Labelled:
    """Mentions of a company per bucket, with labelled news events."""
    length = int(days * DAY / bucket_minutes)
    minutes = np.arange(length) * bucket_minutes
    base = float(np.exp(rng.uniform(np.log(1.5), np.log(150))))
    offset = rng.uniform(-8, -4)  # a company in the Americas, counted in UTC
    hours = (minutes / 60 + offset) % 24
    day = ((minutes / 60 + offset) // 24).astype(int)
    shape = _bumps(hours, rng) ** rng.uniform(0.3, 1.0)
    weekend = np.where(day % 7 >= 5, rng.uniform(0.5, 1.0), 1.0)
    trend = np.exp(np.cumsum(rng.normal(0, 0.002, length)))
    rate = base * shape / shape.mean() * weekend * trend
    wave = _ar1_log(rng, length, rng.uniform(2, 24), rng.uniform(0.1, 0.5))
    mean = rate * wave
    # Retweet cascades: many small spikes, a few large ones, all unlabelled.
    cascades = rng.random(length) < rng.uniform(0.002, 0.02)
    sizes = (rng.pareto(rng.uniform(1.5, 2.5), length) + 1) * rng.uniform(0.3, 1.0)
    decay = rng.uniform(1, 4)
    kick = np.where(cascades, sizes * rate.mean(), 0.0)
    mean = mean + lfilter([1.0], [1.0, -np.exp(-1 / decay)], kick)
    extra = np.zeros(length)
    events, magnitudes = [], []
    count = int(rng.integers(1, 5))
    probation = min(int(0.15 * length), 750)
    slots = np.sort(
        rng.choice(np.arange(probation + 300, length - 300, 600), count, replace=False)
    )
    for onset in slots:
        onset = int(onset + rng.integers(0, 300))
        magnitude = float(np.exp(rng.uniform(np.log(4), np.log(60))))
        tau = np.exp(rng.uniform(np.log(30), np.log(24 * 60))) / bucket_minutes
        t = np.arange(length - onset)
        rise = int(rng.choice([0, 0, 1, rng.integers(2, 12)]))
        envelope = np.minimum(1.0, (t + 1) / (rise + 1)) * np.exp(
            -np.maximum(t - rise, 0) / tau
        )
        after = rng.choice([0.0, 0.0, rng.uniform(0.2, 1.0)])  # a new normal
        envelope = envelope + after * np.minimum(1.0, t / (rise + 1))
        extra[onset:] += (magnitude - 1) * rate[onset] * envelope
        events.append((onset, onset + 1))
        magnitudes.append(magnitude)
    values = rng.poisson(mean + extra).astype(float)
    return Labelled(
        values=values,
        bucket_minutes=bucket_minutes,
        events=events,
        magnitudes=magnitudes,
        negatives={},
        base_rate=base * bucket_minutes / 5,
    )


def nab_windows(events: list[tuple[int, int]], length: int) -> list[tuple[int, int]]:
    """NAB's windows: one per event, centred on its onset, a tenth of the
    series shared between them (inclusive row indices)."""
    if not events:
        return []
    width = int(0.1 * length / len(events))
    return [
        (max(0, a - width // 2), min(length - 1, a + width // 2)) for a, _ in events
    ]

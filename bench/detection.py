"""How well the spike detector finds outages, against two plain baselines, and
how long one detection cycle takes.

Quality: SERIES simulated series of WEEKS weeks at 1-minute buckets
(`outages.detection.simulation`, seed SEED) are replayed through the live detector
(`outages.detection.replay.replay`, all series at once, so Benjamini-Hochberg
runs over SERIES series per bucket: looser there than p_open, where over
100,000 series it would be the stricter of the two) and through two baselines
on the same data:

- z-score: z = (x - mean) / max(sd, Z_MIN_SD) over the trailing 24 h of
  present buckets, excluding the current one; alert when z > Z_THRESHOLD;
- Poisson: expected = the same trailing 24 h mean; alert when
  P(X >= x) < POISSON_P for X Poisson.

Each baseline alerts on the first bucket of a run of such buckets, and only
once a full day of history exists. Scoring is by incident onset: the first
alert inside a labelled outage [onset, end) detects it, later alerts inside it
do not count either way, an alert outside every outage is a false alarm, an
outage without an alert is a miss. Delay is first alert - onset, in buckets,
split by onset (sharp, or ramped over 6-30 buckets, as the simulator drew it),
and also counted from the first bucket at 3x normal (noise-free).

Borrowing: PLACES simulated services, each a world series with COUNTRIES
countries and one subdivision in each (`simulation.simulate_places`, seed
SEED + 1), replayed twice through the same detector: each series alone, and
with the family (a subdivision borrows from its country, a country from the
world). False alarms and recall per level, and how far the expectation of
quiet places (true rate < QUIET a bucket) is from their true rate.

Cycle time: one `Detector.step` for 10,000 to 1,000,000 series of Poisson
counts, from a realistic state (a detector warmed on 26 hours of counts,
tiled out to the size, then fed 15 buckets of fresh counts so no two series
share their windows), in families as the live radar has them (per 10 series
a world series in one of 14 categories, 3 countries, 6 subdivisions). Each
figure is also given as a ratio to a ceiling measured in the same run: one
np.sum over the arrays a step reads (its working set); the step at an hour
change, which also learns the hour and borrows, is set against one np.sum
over the whole state. The first step of a detector just loaded is what every
live cycle pays, as it loads the state anew each minute.

Independent data (needs the scoring kit in ../shared/detection): the
independent generator's reports (INDEPENDENT_REPORTS series, seed
REPORT_REPORTS) scored by onset, and its mentions (INDEPENDENT_MENTIONS
series of 5-minute buckets from each of the seeds REPORT_MENTIONS, pooled)
and the kit's real count series (REAL_COUNTS) scored by the kit's NAB
rules, own alerts and best threshold; each beside the kit's `zscore` and
`seasonal_nb` peers. The rules were chosen on other seeds and categories
(TUNING_*).

    .venv/bin/python bench/detection.py

The last line is `f1=<x> false_alarms_per_100_series_weeks=<y>
median_delay_buckets=<z> nab_real_own=<a> nab_real_opt=<b>
cycle_100k_s=<w>`, all of them the detector's (f1 to delay on the own
simulator). Needs neither Django, PostgreSQL nor Redis.
"""

import os
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path

# Run as a plain script from anywhere: the detector lives in the repo's
# `outages` package.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import independent
import numpy as np
from scipy import stats

from outages.detection import backtest, borrowing, simulation
from outages.detection.baseline import FLOOR
from outages.detection.clock import hours_of_week
from outages.detection.detector import Detector
from outages.detection.replay import replay
from outages.detection.simulation import START_EPOCH_MINUTE, Outage

# The own simulator's report seed. The rules were chosen on other data (the
# independent generator's seeds TUNING_REPORTS and TUNING_MENTIONS, and the
# NAB groups TUNING_NAB); none of the seeds below was looked at while
# choosing them.
SEED = 101
TUNING_REPORTS, TUNING_MENTIONS = 21, (11, 51, 52, 53, 54, 55, 56)
TUNING_NAB = ("realKnownCause", "realAWSCloudwatch")
# Ten mention series a seed make a noisy figure: seven seeds, pooled.
REPORT_REPORTS, REPORT_MENTIONS = 31, (41, 61, 62, 63, 64, 65, 66)
INDEPENDENT_REPORTS, INDEPENDENT_MENTIONS = 60, 10
# The count series among the kit's real ones (its README): what an outage
# radar sees. The rest are not counts.
KIT = Path(__file__).resolve().parents[2] / "shared" / "detection"
REAL_COUNTS = (
    "realKnownCause/nyc_taxi.csv",
    "realAWSCloudwatch/elb_request_count_8c0756.csv",
    "realAWSCloudwatch/ec2_network_in_257a54.csv",
    "realAWSCloudwatch/ec2_network_in_5abac7.csv",
    "realAWSCloudwatch/iio_us-east-1_i-a2eb1cd9_NetworkIn.csv",
)
SERIES = 400
WEEKS = 4
DAY = 1440  # buckets in the baselines' trailing window
Z_THRESHOLD = 4.0
# A series silent all day has sd 0: the floor keeps its first report or two
# from being infinitely surprising (it takes 3 reporters to pass z > 4).
Z_MIN_SD = 0.5
POISSON_P = 1e-6
KINDS = ("growth", "holiday", "spam", "missing", "none")
PLACES = 40
COUNTRIES = 5
LEVELS = ("world", "country", "subdivision")
QUIET = 0.1  # reporters a bucket

CYCLE_SIZES = (10_000, 100_000, 1_000_000)
WARM_SERIES = 2_000
WARM_HOURS = 26  # a day and a bit: every hour of the day has been seen once
FILL_BUCKETS = 15  # the longest window, so no two tiled series share one
# The arrays a step reads every bucket (names from Detector.save()); the
# profiles are read only when an hour changes.
WORKING_SET = (
    "observed",
    "expected",
    "sums",
    "residuals",
    "clean",
    "dispersion_excess",
    "dispersion_square",
    "blocks_current",
    "state",
    "streak",
    "calm",
    "age",
    "cooldown",
)
WORKING_SET_BASELINE = ("baseline_dispersion",)


@dataclass(frozen=True)
class Truth:
    """One simulated outage, with what the Series does not keep."""

    onset: int  # first bucket of the outage
    end: int  # first bucket after it
    magnitude: float  # peak multiple of the normal rate
    sharp: bool  # at full strength from its first bucket (no ramp)
    at_3x: int  # first bucket at 3x normal or more, noise-free (end if never)


@dataclass(frozen=True)
class Labelled:
    values: np.ndarray  # (S, T) reporters per bucket, NaN where missing
    rate: np.ndarray  # (S, T) the noise-free normal rate
    outages: list[list[Truth]]
    negatives: list[list[str]]


@dataclass(frozen=True)
class Score:
    name: str
    outages: int
    detected: int
    false_alarms: int
    delays: np.ndarray  # per detected outage, in buckets
    delays_3x: np.ndarray  # outages of magnitude >= 3 only
    delays_sharp: np.ndarray
    delays_ramped: np.ndarray
    delays_from_3x: np.ndarray  # first alert - first bucket at 3x normal
    false_by_kind: dict[str, float]  # per 100 series-weeks of series of a kind
    series_weeks: float

    @property
    def precision(self) -> float:
        return self.detected / max(self.detected + self.false_alarms, 1)

    @property
    def recall(self) -> float:
        return self.detected / max(self.outages, 1)

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def false_per_100_series_weeks(self) -> float:
        return 100 * self.false_alarms / self.series_weeks


def simulate(rng: np.random.Generator, count: int) -> Labelled:
    """`count` labelled series, with each outage's onset shape."""
    series = [simulation.simulate_series(rng, weeks=WEEKS) for _ in range(count)]
    return Labelled(
        values=np.stack([s.values for s in series]),
        rate=np.stack([s.rate for s in series]),
        outages=[[truth(o, o.extra, s.rate) for o in s.outages] for s in series],
        negatives=[s.negatives for s in series],
    )


def truth(outage: Outage, excess: np.ndarray, rate: np.ndarray) -> Truth:
    """What an outage was, from the excess rate it added per bucket."""
    normal = rate[outage.onset : outage.end]
    tripled = np.flatnonzero(excess >= 2 * normal)
    return Truth(
        onset=outage.onset,
        end=outage.end,
        magnitude=outage.magnitude,
        sharp=bool(excess[1] < 1.5 * excess[0]),
        at_3x=outage.onset + int(tripled[0]) if tripled.size else outage.end,
    )


def detect(data: Labelled) -> np.ndarray:
    """The live detector's alerts (S, T), replayed over every series at once."""
    return detect_with(data)[0]


def detect_with(data: Labelled, family=None) -> tuple[np.ndarray, np.ndarray]:
    """Alerts and expectations (S, T), borrowing along `family` if given."""
    missing = np.isnan(data.values)
    minutes = START_EPOCH_MINUTE + np.arange(data.values.shape[1])
    result = replay(
        np.nan_to_num(data.values),
        hours_of_week(minutes),
        1.0,
        missing=missing,
        family=family,
    )
    return result.alert.astype(bool), result.expected


@dataclass(frozen=True)
class Places:
    data: Labelled
    parent: np.ndarray
    level: np.ndarray  # "world", "country" or "subdivision" per series


def simulate_places(rng: np.random.Generator, count: int) -> Places:
    """`count` services, each a world series, its countries and subdivisions."""
    series, parent, level = [], [], []
    for _ in range(count):
        places = simulation.simulate_places(rng, COUNTRIES, weeks=WEEKS)
        offset = len(series)
        parent += [q + offset if q >= 0 else -1 for q in places.parent]
        series += places.series
        level += places.level
    data = Labelled(
        values=np.stack([s.values for s in series]),
        rate=np.stack([s.rate for s in series]),
        outages=[[truth(o, o.extra, s.rate) for o in s.outages] for s in series],
        negatives=[s.negatives for s in series],
    )
    return Places(data, np.array(parent), np.array(level))


def subset(data: Labelled, rows: np.ndarray) -> Labelled:
    return Labelled(
        values=data.values[rows],
        rate=data.rate[rows],
        outages=[data.outages[i] for i in rows],
        negatives=[data.negatives[i] for i in rows],
    )


@dataclass(frozen=True)
class Borrowed:
    """One replay of the places set, alone or borrowing."""

    scores: dict[str, Score]  # per level
    quiet_series: int
    error_median: float  # |log2(expected / true rate)| over quiet places' buckets
    error_p90: float
    at_floor: float  # share of quiet places' buckets expecting the floor


def judge_places(places: Places, borrow: bool) -> Borrowed:
    family = borrowing.family(places.parent) if borrow else None
    alerts, expected = detect_with(places.data, family)
    scores = {}
    for level in LEVELS:
        rows = np.flatnonzero(places.level == level)
        scores[level] = score(level, alerts[rows], subset(places.data, rows))
    # Quiet places, from their second week on, outside outages and gaps.
    rate = places.data.rate
    judged = (places.level != "world")[:, None] & (rate < QUIET)
    judged &= ~np.isnan(places.data.values)
    judged[:, : simulation.MINUTES_PER_WEEK] = False
    for s, outages in enumerate(places.data.outages):
        for o in outages:
            judged[s, o.onset : o.end] = False
    error = np.abs(np.log2(expected[judged] / rate[judged]))
    return Borrowed(
        scores=scores,
        quiet_series=int(judged.any(axis=1).sum()),
        error_median=float(np.median(error)),
        error_p90=float(np.percentile(error, 90)),
        at_floor=float(np.mean(expected[judged] <= FLOOR)),
    )


def trailing_sums(a: np.ndarray, window: int) -> np.ndarray:
    """Sum of the `window` buckets before each bucket, not counting it."""
    cumulative = np.zeros((a.shape[0], a.shape[1] + 1))
    np.cumsum(a, axis=1, out=cumulative[:, 1:])
    # cumulative[:, t] sums buckets [0, t), so [t - window, t) is a difference.
    start = np.maximum(np.arange(a.shape[1]) - window, 0)
    return cumulative[:, :-1] - cumulative[:, start]


def trailing_day(values: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Mean and sd of the present buckets of the trailing day; where judgeable."""
    missing = np.isnan(values)
    x = np.where(missing, 0.0, values)
    n = trailing_sums((~missing).astype(float), DAY)
    safe = np.maximum(n, 1)
    mean = trailing_sums(x, DAY) / safe
    var = np.maximum(trailing_sums(x * x, DAY) / safe - mean**2, 0.0)
    # A full day behind it, at least half of it present, and a count now.
    judged = (np.arange(values.shape[1]) >= DAY) & (n >= DAY / 2) & ~missing
    return mean, np.sqrt(var), judged


def run_starts(hit: np.ndarray) -> np.ndarray:
    """The first bucket of each run of hits along the time axis."""
    before = np.zeros_like(hit)
    before[:, 1:] = hit[:, :-1]
    return hit & ~before


def zscore_alerts(values: np.ndarray) -> np.ndarray:
    mean, sd, judged = trailing_day(values)
    z = (np.nan_to_num(values) - mean) / np.maximum(sd, Z_MIN_SD)
    return run_starts(judged & (z > Z_THRESHOLD))


def poisson_alerts(values: np.ndarray) -> np.ndarray:
    mean, _, judged = trailing_day(values)
    # P(X >= x) = sf(x - 1); the floor is the detector's, for silent series.
    p = stats.poisson.sf(np.nan_to_num(values) - 1, np.maximum(mean, FLOOR))
    return run_starts(judged & (p < POISSON_P))


def in_chunks(method, values: np.ndarray, size: int = 100) -> np.ndarray:
    """`method` over blocks of series, to keep its (S, T) temporaries small."""
    return np.concatenate(
        [method(values[i : i + size]) for i in range(0, len(values), size)]
    )


def score(name: str, alerts: np.ndarray, data: Labelled) -> Score:
    """Score alerts (S, T) by incident onset against the labelled outages."""
    found: list[tuple[Truth, int]] = []  # (outage, its first alert)
    false_alarms = np.zeros(len(alerts), dtype=int)
    for s, outages in enumerate(data.outages):
        times = np.flatnonzero(alerts[s])
        inside = np.zeros(times.size, dtype=bool)
        for outage in outages:
            here = (times >= outage.onset) & (times < outage.end)
            inside |= here
            if here.any():
                found.append((outage, times[here][0]))
        false_alarms[s] = np.count_nonzero(~inside)

    delays = np.array([t - o.onset for o, t in found], dtype=float)
    sharp = np.array([o.sharp for o, _ in found], dtype=bool)
    big = np.array([o.magnitude >= 3 for o, _ in found], dtype=bool)
    by_kind = {}
    for kind in KINDS:
        having = np.array([has_kind(n, kind) for n in data.negatives])
        weeks = having.sum() * WEEKS
        by_kind[kind] = 100 * false_alarms[having].sum() / weeks if weeks else np.nan
    return Score(
        name=name,
        outages=sum(len(o) for o in data.outages),
        detected=len(found),
        false_alarms=int(false_alarms.sum()),
        delays=delays,
        delays_3x=delays[big] if found else delays,
        delays_sharp=delays[sharp] if found else delays,
        delays_ramped=delays[~sharp] if found else delays,
        delays_from_3x=np.array([t - o.at_3x for o, t in found], dtype=float),
        false_by_kind=by_kind,
        series_weeks=len(alerts) * WEEKS,
    )


def has_kind(negatives: list[str], kind: str) -> bool:
    return kind in negatives if kind != "none" else not negatives


def recall_by(data: Labelled, alerts: np.ndarray) -> list[tuple[str, int, int]]:
    """Detected / total outages by duration, onset and normal rate at onset."""
    groups: dict[str, list[int]] = {}
    for s, outages in enumerate(data.outages):
        for outage in outages:
            found = int(alerts[s, outage.onset : outage.end].any())
            duration = outage.end - outage.onset
            rate = data.rate[s, outage.onset]
            labels = [
                "lasting < 30 buckets" if duration < 30 else "lasting >= 30 buckets",
                "sharp onset" if outage.sharp else "ramped onset",
                "normal rate < 1 per bucket"
                if rate < 1
                else "normal rate 1-30 per bucket"
                if rate < 30
                else "normal rate >= 30 per bucket",
            ]
            for label in labels:
                groups.setdefault(label, []).append(found)
    return [(label, sum(v), len(v)) for label, v in sorted(groups.items())]


def warm_state(rng: np.random.Generator) -> tuple[dict, np.ndarray]:
    """A detector's state after WARM_HOURS of Poisson counts, and their rates."""
    rate = np.exp(rng.uniform(np.log(0.05), np.log(300), WARM_SERIES))
    detector = Detector(WARM_SERIES, 1.0)
    minutes = START_EPOCH_MINUTE + np.arange(WARM_HOURS * 60)
    for minute, hour in zip(minutes, hours_of_week(minutes), strict=True):
        detector.step(int(hour), rng.poisson(rate * daily_cycle(minute)) * 1.0)
    return detector.save(), rate


def daily_cycle(minute: int) -> float:
    return 1 + 0.5 * np.cos(2 * np.pi * (minute % DAY) / DAY)


def tiled(arrays: dict, reps: int) -> dict:
    """The saved state repeated `reps` times along the series axis."""
    out = {}
    for name, a in arrays.items():
        if name == "clock":
            out[name] = a
        elif name in ("sums", "residuals"):  # series on the second axis
            out[name] = np.tile(a, (1, reps) + (1,) * (a.ndim - 2))
        else:
            out[name] = np.tile(a, (reps,) + (1,) * (a.ndim - 1))
    return out


def read_once(arrays: list[np.ndarray], repeats: int = 5) -> float:
    """The ceiling: median seconds of one np.sum over each array."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        for a in arrays:
            a.sum()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


@dataclass(frozen=True)
class Cycle:
    size: int
    step_s: float  # median, within an hour
    working_set_s: float
    hour_step_s: float  # median of steps that learn an hour
    first_step_s: float  # the first step of a detector just loaded
    whole_state_s: float
    state_bytes: int


def places_family(size: int) -> borrowing.Family:
    """Per 10 series: a world series (one of 14 categories), 3 countries and
    6 subdivisions, 2 in each country."""
    i = np.arange(size)
    r = i % 10
    world = i - r
    parent = np.where(r == 0, -1, np.where(r <= 3, world, world + 1 + (r - 4) // 2))
    return borrowing.family(parent, np.where(r == 0, (i // 10) % 14, -1))


def time_cycle(warm: dict, rate: np.ndarray, size: int, rng) -> Cycle:
    """Time steps of `size` series from the warm state, and their ceilings."""
    reps = size // WARM_SERIES
    detector = Detector.load(tiled(warm, reps), 1.0)
    family = places_family(size)
    detector.family = family
    rates = np.tile(rate, reps)
    minute = START_EPOCH_MINUTE + WARM_HOURS * 60
    repeats = {10_000: 25, 100_000: 9}.get(size, 3)

    def step(minute):
        counts = rng.poisson(rates * daily_cycle(minute)) * 1.0
        hour = int(hours_of_week(minute))
        start = time.perf_counter()
        detector.step(hour, counts)
        return time.perf_counter() - start

    # The first step learns the warm-up's last hour; then fill the windows.
    for _ in range(1 + FILL_BUCKETS):
        step(minute)
        minute += 1
    within = []
    for _ in range(repeats):
        within.append(step(minute))
        minute += 1
    # A step an hour later learns the hour in progress: the top of the hour.
    hourly = []
    for _ in range(2):
        minute += 60
        hourly.append(step(minute))

    saved = detector.save()
    # A live cycle loads the state and starts with the hour's expectation.
    loaded = Detector.load(saved, 1.0)
    loaded.family = family
    counts = rng.poisson(rates * daily_cycle(minute)) * 1.0
    start = time.perf_counter()
    loaded.step(int(hours_of_week(minute)), counts)
    first_step_s = time.perf_counter() - start
    del loaded
    working = [saved[name] for name in WORKING_SET + WORKING_SET_BASELINE]
    # `rates` stands in for the step's counts: same size, read once.
    working += [detector.window_observed, detector.window_expected, rates]
    whole = [*saved.values(), detector.window_observed, detector.window_expected]
    return Cycle(
        size=size,
        step_s=statistics.median(within),
        working_set_s=read_once(working),
        hour_step_s=statistics.median(hourly),
        first_step_s=first_step_s,
        whole_state_s=read_once(whole, repeats=3),
        state_bytes=sum(a.nbytes for a in saved.values()),
    )


def median(a: np.ndarray) -> float:
    return float(np.median(a)) if a.size else float("nan")


def print_quality(scores: list[Score], data: Labelled) -> None:
    weeks = len(data.values) * WEEKS
    print(
        f"\nDetection: {len(data.values)} simulated series x {WEEKS} weeks, "
        f"1-minute buckets, seed {SEED}: {scores[0].outages} outages, "
        f"{weeks} series-weeks"
    )

    def delay(pick, q=50):
        return [
            f"{np.percentile(pick(s), q):.0f} (n={pick(s).size})"
            if pick(s).size
            else "-"
            for s in scores
        ]

    rows = [
        ("precision", [f"{s.precision:.3f}" for s in scores]),
        ("recall", [f"{s.recall:.3f}" for s in scores]),
        ("F1", [f"{s.f1:.3f}" for s in scores]),
        ("outages detected", [f"{s.detected}/{s.outages}" for s in scores]),
        ("false alarms", [f"{s.false_alarms}" for s in scores]),
        (
            "false alarms / 100 series-weeks",
            [f"{s.false_per_100_series_weeks:.2f}" for s in scores],
        ),
    ]
    for kind in KINDS:
        count = sum(has_kind(n, kind) for n in data.negatives)
        rows.append(
            (
                f"  on series with {kind} ({count})",
                [f"{s.false_by_kind[kind]:.2f}" for s in scores],
            )
        )
    rows += [
        ("delay (buckets from onset): median", delay(lambda s: s.delays)),
        ("  p90", delay(lambda s: s.delays, 90)),
        ("  median, magnitude >= 3x", delay(lambda s: s.delays_3x)),
        ("  median, sharp onsets", delay(lambda s: s.delays_sharp)),
        ("  median, ramped onsets", delay(lambda s: s.delays_ramped)),
        ("  p90, ramped onsets", delay(lambda s: s.delays_ramped, 90)),
        ("median delay from reaching 3x", delay(lambda s: s.delays_from_3x)),
    ]
    header = ["detector", f"z > {Z_THRESHOLD:g}", f"Poisson p < {POISSON_P:g}"]
    print(f"{'':36}" + "".join(f"{h:>18}" for h in header))
    for label, cells in rows:
        print(f"{label:36}" + "".join(f"{c:>18}" for c in cells))


def print_recall(groups: list[tuple[str, int, int]]) -> None:
    print("\nDetector recall by kind of outage:")
    for label, found, total in groups:
        print(f"  {label:36}{found:>5}/{total:<5}{found / total:>8.3f}")


def print_cycles(cycles: list[Cycle]) -> None:
    print(
        "\nCycle time of one Detector.step (s), and as a multiple of a ceiling "
        "read in the same run:"
    )
    header = (
        "series",
        "step",
        "ceiling",
        "x ceiling",
        "hour step",
        "ceiling",
        "x ceiling",
        "first step",
        "state MB",
    )
    print("".join(f"{h:>12}" for h in header))
    for c in cycles:
        cells = (
            f"{c.size:,}",
            f"{c.step_s:.4f}",
            f"{c.working_set_s:.4f}",
            f"{c.step_s / c.working_set_s:.1f}",
            f"{c.hour_step_s:.4f}",
            f"{c.whole_state_s:.4f}",
            f"{c.hour_step_s / c.whole_state_s:.1f}",
            f"{c.first_step_s:.4f}",
            f"{c.state_bytes / 1e6:.0f}",
        )
        print("".join(f"{x:>12}" for x in cells))
    print(
        "  step: median within an hour, against one np.sum over the arrays it "
        "reads;\n  hour step: a step that learns the past hour and borrows, "
        "against one np.sum over the whole state;\n  first step: the first "
        "step of a detector just loaded, as in every live cycle."
    )


def print_places(alone: Borrowed, borrowed: Borrowed, places: Places) -> None:
    counts = {level: int((places.level == level).sum()) for level in LEVELS}
    print(
        f"\nBorrowing: {PLACES} simulated services x (the world, {COUNTRIES} "
        f"countries, a subdivision in each) = {len(places.level)} series, "
        f"{WEEKS} weeks, seed {SEED + 1}"
    )
    print(f"{'':52}{'alone':>14}{'borrowing':>14}")
    rows = []
    for level in LEVELS:
        rows.append(
            (
                f"{level} ({counts[level]}): false alarms / 100 series-weeks",
                [
                    f"{r.scores[level].false_per_100_series_weeks:.2f}"
                    for r in (alone, borrowed)
                ],
            )
        )
        rows.append(
            (
                "  recall",
                [
                    f"{r.scores[level].detected}/{r.scores[level].outages}"
                    for r in (alone, borrowed)
                ],
            )
        )
        rows.append(
            (
                "  median delay (buckets from onset)",
                [f"{median(r.scores[level].delays):.0f}" for r in (alone, borrowed)],
            )
        )
    quiet = f"quiet places ({alone.quiet_series}, < {QUIET:g} a bucket)"
    rows += [
        (
            f"{quiet}: |log2(expected/true)| median",
            [f"{r.error_median:.2f}" for r in (alone, borrowed)],
        ),
        ("  p90", [f"{r.error_p90:.2f}" for r in (alone, borrowed)]),
        (
            "  buckets expecting the floor",
            [f"{100 * r.at_floor:.1f} %" for r in (alone, borrowed)],
        ),
    ]
    for label, cells in rows:
        print(f"{label:52}" + "".join(f"{c:>14}" for c in cells))


def print_targets(detector: Score, cycle_100k: float) -> None:
    def verdict(ok):
        return "met" if ok else "NOT met"

    fa = detector.false_per_100_series_weeks
    delay = median(detector.delays_3x)
    from_3x = median(detector.delays_from_3x)
    print("\nTargets (the detector):")
    print(f"  F1 >= 0.9: {detector.f1:.3f}, {verdict(detector.f1 >= 0.9)}")
    print(f"  <= 1 false alarm / 100 series-weeks: {fa:.2f}, {verdict(fa <= 1)}")
    print(
        f"  median delay <= 2 buckets at >= 3x: {delay:.0f} from onset, "
        f"{verdict(delay <= 2)}; {from_3x:.0f} from reaching 3x, "
        f"{verdict(from_3x <= 2)}"
    )
    print(
        f"  100,000 series per cycle < 5 s: {cycle_100k:.3f} s, "
        f"{verdict(cycle_100k < 5)}"
    )


def load_kit():
    """The scoring kit's modules (`scoring`, `peers`, `datasets`), or None."""
    if not (KIT / "scoring.py").exists():
        return None
    sys.path.insert(0, str(KIT))
    import datasets
    import peers
    import scoring

    return scoring, peers, datasets


def detector_rows(ts_str, values, bucket_minutes=None):
    """The live detector on one series as `backtest` runs it: score, alert."""
    times = np.array([backtest.parse_time(t) for t in ts_str])
    rows = backtest.Rows(raw=[{}] * len(values), times=times, values=values)
    grid = backtest.to_grid(rows)
    result = backtest.detect(grid)
    at = grid.row_bucket
    return result.score[0][at], result.alert[0][at].astype(bool)


def peer_rows(kit, name, ts_str, values):
    _, peers, _ = kit
    if name == "zscore":
        return peers.zscore(ts_str, values)
    return peers.seasonal_tail(ts_str, values, nb=True)


METHODS = ("detector", "zscore", "seasonal_nb")


def judge_rows(kit, method, ts_str, values):
    if method == "detector":
        return detector_rows(ts_str, values)
    score, alert = peer_rows(kit, method, ts_str, values)
    return np.asarray(score, float), np.asarray(alert, bool)


def timestamps(length, bucket_minutes):
    start = np.datetime64("2025-03-03T00:00:00")
    step = np.timedelta64(int(bucket_minutes * 60), "s")
    times = start + np.arange(length) * step
    return [str(t).replace("T", " ") for t in times]


@dataclass
class Nab:
    own: float
    opt: float
    f1: float
    recall: float
    false_per_day: float
    windows: int


def nab_of(kit, preps, scores, alerts) -> Nab:
    scoring = kit[0]
    own = scoring.nab_scores_at(preps, alerts)["standard"]
    _, _, opt = scoring.optimise_threshold(preps, scores, scoring.PROFILES["standard"])
    events = scoring.event_metrics(preps, alerts)
    return Nab(
        own,
        opt,
        events["f1"],
        events["recall"],
        events["fp_per_day"],
        events["windows"],
    )


def judge_mentions(kit, seeds: tuple[int, ...], count: int) -> dict[str, Nab]:
    """Independent mention counts (5-minute buckets), `count` series of each
    seed, scored together as NAB does."""
    scoring = kit[0]
    series = []
    for seed in seeds:
        rng = np.random.default_rng(seed)
        series += [independent.mentions(rng) for _ in range(count)]
    out = {}
    for method in METHODS:
        preps, scores, alerts = [], [], []
        for d in series:
            ts_str = timestamps(d.length, d.bucket_minutes)
            s = scoring.Series(
                "mentions",
                ts_str,
                scoring.parse_ts(ts_str),
                d.values,
                independent.nab_windows(d.events, d.length),
                [a for a, _ in d.events],
                scoring.nab_probation(d.length),
            )
            score, alert = judge_rows(kit, method, ts_str, d.values)
            preps.append(scoring.Prepared(s))
            scores.append(score)
            alerts.append(alert)
        out[method] = nab_of(kit, preps, scores, alerts)
    return out


def judge_real(kit, names) -> dict[str, Nab]:
    """The kit's real count series, scored as NAB does."""
    scoring, _, datasets = kit
    series = []
    for category in sorted({n.split("/")[0] for n in names}):
        for s in datasets.load_nab(str(KIT / "nab"), category):
            if s.name in names:
                series.append(s)
    out = {}
    for method in METHODS:
        preps, scores, alerts = [], [], []
        for s in series:
            score, alert = judge_rows(kit, method, s.ts_str, s.values)
            preps.append(scoring.Prepared(s))
            scores.append(score)
            alerts.append(alert)
        out[method] = nab_of(kit, preps, scores, alerts)
    return out


@dataclass
class Events:
    f1: float
    recall: float
    found: int
    outages: int
    false_alarms: int
    false_per_day: float
    median_delay: float
    on_bursts: int


def judge_independent_reports(kit, seed: int, count: int) -> dict[str, Events]:
    """Independent per-minute report counts: onsets found, false alarms."""
    rng = np.random.default_rng(seed)
    series = [independent.reports(rng) for _ in range(count)]
    values = np.stack([d.values for d in series])
    hours = hours_of_week(independent.START_EPOCH_MINUTE + np.arange(values.shape[1]))
    missing = np.isnan(values)
    ours = replay(np.where(missing, 0, values), hours, 1.0, missing=missing)
    out = {}
    for method in METHODS:
        if method == "detector":
            alerts = ours.alert.astype(bool)
        else:
            ts_str = timestamps(values.shape[1], 1)
            alerts = np.stack(
                [
                    run_starts(judge_rows(kit, method, ts_str, d.values)[1][None])[0]
                    for d in series
                ]
            )
        out[method] = count_events(series, alerts)
    return out


def count_events(series, alerts) -> Events:
    found = outages = false = bursts = 0
    delays, days = [], 0.0
    for d, alert in zip(series, alerts, strict=True):
        at = np.flatnonzero(alert)
        inside = np.zeros(d.length, dtype=bool)
        for a, b in d.events:
            inside[a:b] = True
            hit = at[(at >= a) & (at < b)]
            outages += 1
            if hit.size:
                found += 1
                delays.append(hit[0] - a)
        near_burst = np.zeros(d.length, dtype=bool)
        for a, b in d.negatives.get("burst", []):
            near_burst[a : b + 15] = True
        wrong = at[~inside[at]]
        false += wrong.size
        bursts += int(near_burst[wrong].sum())
        days += (d.length - 7 * independent.DAY) / independent.DAY
    precision = found / max(found + false, 1)
    recall = found / max(outages, 1)
    f1 = 2 * precision * recall / max(precision + recall, 1e-9)
    return Events(
        f1,
        recall,
        found,
        outages,
        false,
        false / max(days, 1e-9),
        float(np.median(delays)) if delays else float("nan"),
        bursts,
    )


def print_independent(reports: dict[str, Events], mentions: dict[str, Nab]):
    print(
        f"\nIndependent generator (bench/independent.py), not the simulator the "
        f"detector was built beside.\nReports: {INDEPENDENT_REPORTS} series x 4 "
        f"weeks of 1-minute buckets, seed {REPORT_REPORTS} (rules chosen on seed "
        f"{TUNING_REPORTS}); from the second week on.\n"
    )
    print("| | " + " | ".join(METHODS) + " |")
    print("|---|" + "---|" * len(METHODS))
    rows = [
        ("F1", lambda e: f"{e.f1:.3f}"),
        ("outages found", lambda e: f"{e.found}/{e.outages}"),
        ("false alarms", lambda e: f"{e.false_alarms}"),
        ("… of them on short bursts", lambda e: f"{e.on_bursts}"),
        ("false alarms / series-day", lambda e: f"{e.false_per_day:.4f}"),
        ("median delay, buckets", lambda e: f"{e.median_delay:.0f}"),
    ]
    for label, cell in rows:
        print(f"| {label} | " + " | ".join(cell(reports[m]) for m in METHODS) + " |")
    print(
        f"\nMentions: {INDEPENDENT_MENTIONS} series x 8 weeks of 5-minute buckets "
        f"from each of the seeds {', '.join(map(str, REPORT_MENTIONS))} (rules "
        f"chosen on the seeds {', '.join(map(str, TUNING_MENTIONS))}), "
        "NAB-style windows and scoring.\n"
    )
    print_nab_table(mentions)


def print_nab_table(results: dict[str, Nab]):
    print("| | " + " | ".join(METHODS) + " |")
    print("|---|" + "---|" * len(METHODS))
    rows = [
        ("NAB standard, own alerts", lambda n: f"{n.own:.1f}"),
        ("NAB standard, best threshold", lambda n: f"{n.opt:.1f}"),
        ("F1, own alerts", lambda n: f"{n.f1:.2f}"),
        ("windows found, own alerts", lambda n: f"{n.recall:.2f} of {n.windows}"),
        ("false alarms / day, own alerts", lambda n: f"{n.false_per_day:.3f}"),
    ]
    for label, cell in rows:
        print(f"| {label} | " + " | ".join(cell(results[m]) for m in METHODS) + " |")


def main() -> None:
    started = time.perf_counter()
    print(f"load average at start: {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
    rng = np.random.default_rng(SEED)
    data = simulate(rng, SERIES)

    clock = time.perf_counter()
    detector_alerts = detect(data)
    replay_s = time.perf_counter() - clock
    scores = [
        score("detector", detector_alerts, data),
        score("z-score", in_chunks(zscore_alerts, data.values), data),
        score("Poisson", in_chunks(poisson_alerts, data.values), data),
    ]
    print_quality(scores, data)
    print_recall(recall_by(data, detector_alerts))
    buckets = data.values.size
    print(
        f"\nReplay of {buckets:,} series-buckets: {replay_s:.1f} s "
        f"({buckets / replay_s:,.0f} per second)"
    )
    del data, detector_alerts

    places = simulate_places(np.random.default_rng(SEED + 1), PLACES)
    print_places(judge_places(places, False), judge_places(places, True), places)
    del places

    kit = load_kit()
    real = None
    if kit is None:
        print(f"\n(no scoring kit at {KIT}: independent and real series skipped)")
    else:
        reports = judge_independent_reports(kit, REPORT_REPORTS, INDEPENDENT_REPORTS)
        mentions = judge_mentions(kit, REPORT_MENTIONS, INDEPENDENT_MENTIONS)
        print_independent(reports, mentions)
        real = judge_real(kit, REAL_COUNTS)
        print(
            f"\nReal count series of the scoring kit ({len(REAL_COUNTS)}: "
            + ", ".join(n.split("/")[1] for n in REAL_COUNTS)
            + "), NAB standard profile; the categories "
            + " and ".join(TUNING_NAB)
            + " were used while choosing the rules.\n"
        )
        print_nab_table(real)

    warm, rate = warm_state(np.random.default_rng(SEED))
    cycles = [
        time_cycle(warm, rate, size, np.random.default_rng(SEED + i))
        for i, size in enumerate(CYCLE_SIZES)
    ]
    print_cycles(cycles)
    cycle_100k = next(c.step_s for c in cycles if c.size == 100_000)
    print_targets(scores[0], cycle_100k)
    print(
        f"\nload average at end: {os.getloadavg()[0]:.2f}; "
        f"total {time.perf_counter() - started:.0f} s"
    )
    d = scores[0]
    print(
        f"f1={d.f1:.3f} "
        f"false_alarms_per_100_series_weeks={d.false_per_100_series_weeks:.2f} "
        f"median_delay_buckets={median(d.delays):.0f} "
        f"nab_real_own={real['detector'].own if real else float('nan'):.1f} "
        f"nab_real_opt={real['detector'].opt if real else float('nan'):.1f} "
        f"cycle_100k_s={cycle_100k:.3f}"
    )


if __name__ == "__main__":
    main()

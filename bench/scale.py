"""What one detection cycle costs as the radar grows: time, bytes written and
the largest value stored, with the series in shards and one or two workers.

For 10,000, 100,000 and 1,000,000 series (--quick stops at 100,000) in the
families the live radar has, from a realistic state (bench/detection.py's
warm state, tiled out), split by service into shards as the live radar
splits them (DETECTOR_SHARDS, or --shards N). One live cycle of a shard is
what its task does within an hour: load its saved blobs, judge a minute,
pack what is written back. One worker runs the shards' cycles one after the
other; two workers are two processes taking shards as they come, and the
cycle is over when the last shard is. Bytes written are the shards' `arrays`
blobs (every cycle); the `slow` blobs (keys, profiles, dispersion) and the
category sums are written only when an hour is learned or a series joins,
so once an hour. The largest value is the largest blob of any shard.

The ceiling, measured in the same run, is the whole state as one plain blob,
which is what every cycle wrote before: the ratio is the share of it a cycle
still writes. Not measured here: the PostgreSQL write itself.

Then the record outage is replayed through the batch API (bench/replay.py;
--no-replay skips it), and the last line gives both:
`cycle_100k_s=... cycle_1m_s=... bytes_per_cycle_100k=...
replay_reports_per_s=... replay_lag_p99_s=... replay_detect_minutes=...`.
"""

import multiprocessing
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django

django.setup()

import numpy as np  # noqa: E402
import replay  # noqa: E402  (bench/replay.py)
from detection import (  # noqa: E402
    FILL_BUCKETS,
    WARM_HOURS,
    WARM_SERIES,
    daily_cycle,
    places_family,
    tiled,
    warm_state,
)
from django.conf import settings  # noqa: E402

from outages.detection.clock import hours_of_week  # noqa: E402
from outages.detection.detector import Detector  # noqa: E402
from outages.detection.simulation import START_EPOCH_MINUTE  # noqa: E402
from outages.pipeline import state  # noqa: E402

REPEATS = 3
# The shards of the size being measured, set before the workers fork so they
# share them: (fast blob, slow blob, rates, family) per shard.
SHARDS: list[tuple] = []


def make_shards(warm, rate, size, shards, rng):
    """The shards' saved blobs after a warm-up, and the whole state's size."""
    reps = size // WARM_SERIES
    keys = [(i // 10, "" if i % 10 == 0 else f"R{i % 10}") for i in range(size)]
    detector = Detector.load(tiled(warm, reps), 1.0)
    detector.family = places_family(size)
    rates = np.tile(rate, reps)
    minute = START_EPOCH_MINUTE + WARM_HOURS * 60
    for _ in range(1 + FILL_BUCKETS):
        detector.step(int(hours_of_week(minute)), rng.poisson(rates) * 1.0)
        minute += 1
    # The ceiling: what a cycle wrote before, the whole state uncompressed in
    # single precision.
    whole = sum(
        a.size * 4 if a.dtype == np.float64 else a.nbytes
        for a in detector.save().values()
    )
    service = np.arange(size) // 10
    parts = []
    for k in range(shards):
        # As shards.of: by service, so a service's places stay together.
        which = np.flatnonzero(service % shards == k)
        part = detector.part(which)
        mine = [keys[i] for i in which]
        family = places_family(which.size)
        part.family = family
        fast = state.fast_blob(part)
        slow = state.slow_blob(mine, part)
        parts.append((fast, slow, rates[which], family))
    return parts, minute, whole


def judge(task):
    """One shard's cycle: (seconds, bytes written)."""
    k, minute = task
    fast, slow, rates, family = SHARDS[k]
    counts = np.random.default_rng(minute + k).poisson(rates * daily_cycle(minute))
    start = time.perf_counter()
    _, detector = state.unpack(fast, slow)
    detector.family = family
    detector.step(int(hours_of_week(minute)), counts * 1.0)
    written = len(state.fast_blob(detector))
    return time.perf_counter() - start, written


def cycle(minute, pool=None):
    """Wall seconds of a cycle over every shard, and the bytes it wrote."""
    tasks = [(k, minute) for k in range(len(SHARDS))]
    start = time.perf_counter()
    done = pool.map(judge, tasks, chunksize=1) if pool else [judge(t) for t in tasks]
    return time.perf_counter() - start, sum(written for _, written in done)


def measure(warm, rate, size, shards, rng):
    parts, minute, whole = make_shards(warm, rate, size, shards, rng)
    SHARDS[:] = parts
    largest = max(max(len(fast), len(slow)) for fast, slow, *_ in parts)
    one, two = [], []
    with multiprocessing.get_context("fork").Pool(2) as pool:
        for r in range(REPEATS):
            seconds, written = cycle(minute + r)
            one.append(seconds)
            two.append(cycle(minute + r, pool)[0])
    SHARDS.clear()
    return statistics.median(one), statistics.median(two), written, largest, whole


def main() -> None:
    rng = np.random.default_rng(13)
    warm, rate = warm_state(rng)
    shards = settings.DETECTOR_SHARDS
    if "--shards" in sys.argv:
        shards = int(sys.argv[sys.argv.index("--shards") + 1])
    sizes = [10_000, 100_000] + ([] if "--quick" in sys.argv else [1_000_000])
    print(f"{shards} shards")
    print(
        "   series  1 worker_s  2 workers_s  written_MB  largest_MB  whole_MB"
        "  written/whole"
    )
    found = {}
    for size in sizes:
        one, two, written, largest, whole = measure(warm, rate, size, shards, rng)
        found[size] = (two, written)
        print(
            f"{size:>9,}  {one:10.2f}  {two:11.2f}  {written / 1e6:10.1f}"
            f"  {largest / 1e6:10.1f}  {whole / 1e6:8.1f}  {written / whole:13.3f}"
        )
    million = found.get(1_000_000, (float("nan"),))[0]
    line = (
        f"cycle_100k_s={found[100_000][0]:.2f} cycle_1m_s={million:.2f}"
        f" bytes_per_cycle_100k={found[100_000][1]}"
    )
    if "--no-replay" not in sys.argv:
        print("\nThe record outage replayed (bench/replay.py):", flush=True)
        replayed = replay.replay()
        line += (
            f" replay_reports_per_s={replayed['accepted_per_s']:.1f}"
            f" replay_lag_p99_s={replayed['lag_p99_s']:.2f}"
            f" replay_detect_minutes={replayed['detect_minutes']:.1f}"
        )
    print(line)


if __name__ == "__main__":
    main()

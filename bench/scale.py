"""What one detection cycle costs as the radar grows: time and bytes written.

For 10,000 and 100,000 series (1,000,000 with --million) in the families the
live radar has, from a realistic state (bench/detection.py's warm state, tiled
out), one live cycle within an hour: load the saved blobs, judge a minute,
pack what is written back. Bytes written are the `arrays` blob (every cycle);
the `slow` blob (keys, profiles, dispersion) is written only when an hour is
learned or a series joins, so once an hour. Both are deflated. The ceiling,
measured in the same run, is the whole state as one plain blob, which is what
every cycle wrote before: the ratio is the share of it a cycle still writes.

Not yet measured here: the PostgreSQL write itself, several workers, and the
record outage replay (issue 13 asks for them).
"""

import os
import statistics
import sys
import time
import zlib
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django

django.setup()

import numpy as np  # noqa: E402
from detection import (  # noqa: E402
    FILL_BUCKETS,
    WARM_HOURS,
    WARM_SERIES,
    daily_cycle,
    places_family,
    tiled,
    warm_state,
)

from outages.detection.clock import hours_of_week  # noqa: E402
from outages.detection.detector import Detector  # noqa: E402
from outages.detection.simulation import START_EPOCH_MINUTE  # noqa: E402
from outages.pipeline import state  # noqa: E402


def measure(warm, rate, size, rng):
    reps = size // WARM_SERIES
    keys = [(i // 10, "" if i % 10 == 0 else f"R{i % 10}") for i in range(size)]
    detector = Detector.load(tiled(warm, reps), 1.0)
    detector.family = places_family(size)
    rates = np.tile(rate, reps)
    minute = START_EPOCH_MINUTE + WARM_HOURS * 60
    for _ in range(1 + FILL_BUCKETS):
        detector.step(int(hours_of_week(minute)), rng.poisson(rates) * 1.0)
        minute += 1
    fast = state.fast_blob(detector)
    slow = state.slow_blob(keys, detector)
    # The ceiling: what a cycle wrote before, the whole state uncompressed.
    whole = zlib.decompress(state.pack(keys, detector))
    family = detector.family
    times = []
    for _ in range(3):
        counts = rng.poisson(rates * daily_cycle(minute)) * 1.0
        start = time.perf_counter()
        _, loaded = state.unpack(fast, slow)
        loaded.family = family
        loaded.step(int(hours_of_week(minute)), counts)
        fast = state.fast_blob(loaded)
        times.append(time.perf_counter() - start)
        minute += 1
    return statistics.median(times), len(fast), len(slow), len(whole)


def main() -> None:
    rng = np.random.default_rng(13)
    warm, rate = warm_state(rng)
    sizes = [10_000, 100_000] + ([1_000_000] if "--million" in sys.argv else [])
    print("series     cycle_s  written_MB  slow_MB  whole_MB  written/whole")
    found = {}
    for size in sizes:
        seconds, fast, slow, whole = measure(warm, rate, size, rng)
        found[size] = (seconds, fast)
        print(
            f"{size:>9,}  {seconds:7.2f}  {fast / 1e6:10.1f}  {slow / 1e6:7.1f}"
            f"  {whole / 1e6:8.1f}  {fast / whole:13.3f}"
        )
    print(
        f"cycle_100k_s={found[100_000][0]:.2f} bytes_per_cycle_100k={found[100_000][1]}"
    )


if __name__ == "__main__":
    main()

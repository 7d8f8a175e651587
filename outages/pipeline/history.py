"""Teaching the detector a history it did not see live.

Used by the demo (simulated weeks for a new database), by tests that need a
service with weeks of history, after an upgrade whose detector cannot read
the state an older one saved, and when the number of shards changes: the
detector replays the counts minute by minute exactly as live cycles would
have.
"""

from datetime import datetime, timedelta

import numpy as np
from django.db import transaction

from outages.detection.clock import MINUTE, hours_of_week_from
from outages.detection.detector import Detector
from outages.pipeline import counts as bucket_counts
from outages.pipeline import shards, state
from outages.pipeline.counts import Key
from outages.pipeline.family import family

# How far back an upgraded radar relearns from its stored buckets: two weeks
# give every hour of the week two sightings.
RELEARN_DAYS = 14
DAY = timedelta(days=1)


def learn_history(keys: list[Key], counts: np.ndarray, last: datetime) -> None:
    """Replay (S, T) counts per minute, the last at minute `last`, and save.

    Replaces whatever the detector knew: meant for an empty radar.
    """
    length = counts.shape[1]
    first = last - (length - 1) * MINUTE
    detector = Detector(len(keys), bucket_minutes=1.0)
    detector.family = family(list(keys))
    hours = hours_of_week_from(first, length)
    for t in range(length):
        detector.step(int(hours[t]), counts[:, t])
    with transaction.atomic():
        for shard in range(shards.count()):
            row = state.locked(shard)
            which = [i for i, key in enumerate(keys) if shards.of(key[0]) == shard]
            part = detector.part(np.array(which, dtype=int))
            state.store(row, [keys[i] for i in which], part, minute=last)


def relearned(
    last: datetime, shard: int, days: int = RELEARN_DAYS
) -> tuple[list[Key], Detector]:
    """A detector taught the stored buckets of the shard's series in the
    `days` up to `last`.

    Read a day at a time, so the memory it takes is a day of counts whatever
    the number of series; a series joins on the day of its first report.
    """
    detector = Detector(0, bucket_minutes=1.0)
    keys: list[Key] = []
    start = last - days * DAY + MINUTE
    for day in range(days):
        first = start + day * DAY
        end = min(first + DAY - MINUTE, last)
        found = bucket_counts.reporters_per_minute(first, end, (shard, shards.count()))
        if not keys and not found:
            continue
        length = int((end - first) / MINUTE) + 1
        matrix = bucket_counts.take_in(found, keys, detector, length)
        # Judged as the live cycle judges it: against all shards' series,
        # borrowing from all shards' members of a category.
        state.see_others(detector, shard, len(keys))
        hours = hours_of_week_from(first, length)
        for t in range(length):
            detector.step(int(hours[t]), matrix[:, t])
    return keys, detector

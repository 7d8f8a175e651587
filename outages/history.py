"""Teaching the detector a history it did not see live.

Used by the demo (simulated weeks for a new database) and by tests that need
a service with weeks of history: the detector replays the counts minute by
minute exactly as live cycles would have, and its state is saved as if those
cycles had run.
"""

from datetime import datetime, timedelta

import numpy as np
from django.db import transaction

from outages import series
from outages.detection.clock import hours_of_week
from outages.detection.detector import Detector
from outages.models import DetectorState

MINUTE = timedelta(minutes=1)


def learn_history(keys: list[series.Key], counts: np.ndarray, last: datetime) -> None:
    """Replay (S, T) counts per minute, the last at minute `last`, and save.

    Replaces whatever the detector knew: meant for an empty radar.
    """
    length = counts.shape[1]
    first = last - (length - 1) * MINUTE
    detector = Detector(len(keys), bucket_minutes=1.0)
    detector.family = series.family(list(keys))
    hours = hours_of_week(int(first.timestamp() // 60) + np.arange(length))
    for t in range(length):
        detector.step(int(hours[t]), counts[:, t])
    with transaction.atomic():
        state, _ = DetectorState.objects.select_for_update().get_or_create(shard=0)
        state.arrays = series.pack(list(keys), detector)
        state.minute = last
        state.save()

"""Teaching the detector a history it did not see live.

Used by the demo (simulated weeks for a new database) and by tests that need
a service with weeks of history: the detector replays the counts minute by
minute exactly as live cycles would have, and its state is saved as if those
cycles had run.
"""

from datetime import datetime

import numpy as np
from django.db import transaction

from outages.detection.clock import MINUTE, hours_of_week_from
from outages.detection.detector import Detector
from outages.pipeline import state
from outages.pipeline.counts import Key
from outages.pipeline.family import family


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
        row = state.locked()
        row.arrays = state.pack(list(keys), detector)
        row.minute = last
        row.save()

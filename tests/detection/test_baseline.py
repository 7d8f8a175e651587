"""What the baseline holds as normal, on daily shapes that strain it."""

import numpy as np

from outages.detection.clock import hours_of_week
from outages.detection.replay import replay
from tests.detection.test_detector import START_EPOCH_MINUTE

WEEK = 7 * 1440


def test_a_service_that_opens_at_nine_raises_no_alarm():
    # Next to nothing at night, 20 reporters a minute from 09:00 to 17:00.
    rng = np.random.default_rng(9)
    minutes = START_EPOCH_MINUTE + np.arange(3 * WEEK)
    open_now = (minutes % 1440 >= 9 * 60) & (minutes % 1440 < 17 * 60)
    values = rng.poisson(np.where(open_now, 20.0, 0.05), (5, minutes.size))
    result = replay(values.astype(float), hours_of_week(minutes), 1.0)

    assert not result.alert.any()
    # The nights are expected as nights, not as a share of the day.
    night = ~open_now & (np.arange(minutes.size) >= WEEK)
    assert np.median(result.expected[:, night]) < 0.2

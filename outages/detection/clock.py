"""Time as the detector counts it: UTC minutes since 1970 and hours of the week."""

import numpy as np

HOURS_PER_WEEK = 168


def hours_of_week(epoch_minutes: np.ndarray) -> np.ndarray:
    """Hour of the week (Monday 00:00 UTC = 0) of UTC minutes since 1970."""
    # 1970-01-01 was a Thursday: three days after a Monday.
    return ((np.asarray(epoch_minutes) // 60) + 3 * 24) % HOURS_PER_WEEK

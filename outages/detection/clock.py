"""Time as the radar counts it: aligned UTC minutes and hours of the week.

Buckets are whole UTC minutes; the detector's seasonal profiles are indexed
by the hour of the week, Monday 00:00 UTC being hour 0.
"""

from datetime import datetime, timedelta

import numpy as np

HOURS_PER_WEEK = 168
MINUTE = timedelta(minutes=1)


def epoch_minute(moment: datetime) -> int:
    """Whole UTC minutes since 1970 of an aware datetime."""
    return int(moment.timestamp() // 60)


def hours_of_week(epoch_minutes: np.ndarray) -> np.ndarray:
    """Hour of the week (Monday 00:00 UTC = 0) of UTC minutes since 1970."""
    # 1970-01-01 was a Thursday: three days after a Monday.
    return ((np.asarray(epoch_minutes) // 60) + 3 * 24) % HOURS_PER_WEEK


def hours_of_week_from(first: datetime, minutes: int) -> np.ndarray:
    """The hour of the week of each of `minutes` minutes from `first` on."""
    return hours_of_week(epoch_minute(first) + np.arange(minutes))

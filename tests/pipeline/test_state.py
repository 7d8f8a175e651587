"""The saved state: every minute what changed, the profiles when they change."""

import numpy as np
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from outages.detection.detector import Detector
from outages.models import DetectorState
from outages.pipeline import state

KEYS = [(1, ""), (1, "DE"), (2, "")]


def stepped(detector, hour, minutes, rng):
    for _ in range(minutes):
        detector.step(hour, rng.poisson(3.0, len(KEYS)).astype(float))


@pytest.fixture
def row(db):
    return DetectorState.objects.create(shard=0)


def test_a_minute_within_the_hour_leaves_the_profiles_unwritten(row):
    rng = np.random.default_rng(7)
    detector = Detector(len(KEYS), 1.0)
    stepped(detector, 0, 60, rng)
    stepped(detector, 1, 30, rng)  # hour 0 learned, half of hour 1 seen
    state.store(row, KEYS, detector)
    row.refresh_from_db()
    slow, fast = bytes(row.slow), bytes(row.arrays)

    keys, detector = state.loaded(row)
    stepped(detector, 1, 1, rng)
    with CaptureQueriesContext(connection) as queries:
        state.store(row, keys, detector)
    row.refresh_from_db()

    (update,) = [q["sql"] for q in queries if q["sql"].startswith("UPDATE")]
    assert '"slow"' not in update and '"arrays"' in update
    assert bytes(row.slow) == slow
    assert bytes(row.arrays) != fast


def test_learning_an_hour_writes_the_profiles_and_nothing_is_lost(row):
    rng = np.random.default_rng(8)
    detector = Detector(len(KEYS), 1.0)
    stepped(detector, 0, 30, rng)
    state.store(row, KEYS, detector)
    row.refresh_from_db()
    slow = bytes(row.slow)

    keys, detector = state.loaded(row)
    stepped(detector, 1, 1, rng)  # hour 0 is learned on entering hour 1
    state.store(row, keys, detector)
    row.refresh_from_db()
    assert bytes(row.slow) != slow

    keys, again = state.loaded(row)
    assert keys == KEYS
    saved, reread = detector.save(), again.save()
    assert saved.keys() == reread.keys()
    for name, values in saved.items():
        np.testing.assert_allclose(reread[name], values, rtol=1e-6, err_msg=name)


def test_counts_are_stored_compactly_and_read_back_as_they_were(row):
    detector = Detector(len(KEYS), 1.0)
    for counts in ([3.0, 0.0, 700.0], [2.5, 1.0, 4.0]):
        detector.step(0, np.array(counts))
        state.store(row, KEYS, detector)
        row.refresh_from_db()
        _, again = state.loaded(row)
        np.testing.assert_array_equal(
            again.save()["observed"], detector.save()["observed"]
        )
        # Read back as numbers that can take the next half a reporter.
        again.step(0, np.array([0.5, 0.5, 0.5]))
        assert again.save()["observed"].max() == 700.0
        assert 0.5 in again.save()["observed"]


def test_a_whole_blob_replaces_the_profiles_it_overrides(row):
    rng = np.random.default_rng(9)
    old, new = Detector(len(KEYS), 1.0), Detector(len(KEYS), 1.0)
    stepped(old, 0, 70, rng)
    stepped(new, 5, 70, rng)
    state.store(row, KEYS, old)
    row.arrays = state.pack(KEYS, new)  # as an older radar saved it
    row.save()

    state.store(row, *state.loaded(row))
    row.refresh_from_db()

    weekly = state.loaded(row)[1].baseline.weekly
    np.testing.assert_allclose(weekly, new.baseline.weekly, rtol=1e-6)

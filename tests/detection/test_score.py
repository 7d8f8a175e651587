"""The score column: seeded, no Django.

It must rank: continuous and increasing in the excess for a series in a
given state, below 1 for every finite count, highest where the detector
declares, and low where the evidence is not new.
"""

import numpy as np

from outages.detection.clock import hours_of_week
from outages.detection.detector import Detector
from outages.detection.replay import replay
from outages.detection.simulation import START_EPOCH_MINUTE

DAY = 24 * 60
WIDTH = 5  # minutes
RATE = 20.0  # per bucket


def hours(length, width=WIDTH):
    return hours_of_week(START_EPOCH_MINUTE + np.arange(length) * width)


def quiet_days(rng, days):
    return rng.poisson(RATE, size=days * DAY // WIDTH).astype(float)


def bucket(day, minute=0):
    return (day * DAY + minute) // WIDTH


def test_the_score_rises_with_the_excess_and_stays_below_one():
    # Identical series with one history, then one bucket of growing counts.
    rng = np.random.default_rng(7)
    history = quiet_days(rng, 3)
    counts = np.concatenate([np.arange(0, 2000, 7.0), np.logspace(3.5, 300, 200)])
    detector = Detector(counts.size, WIDTH)
    when = hours(history.size + 1)
    for t, value in enumerate(history):
        detector.step(int(when[t]), np.full(counts.size, value))
    _, score, _, _ = detector.step(int(when[-1]), counts)
    assert (np.diff(score) >= 0).all()
    assert (score >= 0).all() and (score < 1).all()
    # Far above normal, more is always more (up to counts of 10^12: past
    # about 10^15 -log10 units the score rounds to the largest float below 1).
    above = (counts > 10 * RATE) & (counts < 1e12)
    assert (np.diff(score[above]) > 0).all()


def test_the_score_peaks_where_the_incident_is_declared():
    rng = np.random.default_rng(8)
    values = quiet_days(rng, 10)
    start, end = bucket(8, 600), bucket(8, 720)
    values[start:end] += rng.poisson(9 * RATE, size=end - start)
    result = replay(values, hours(values.size), float(WIDTH))
    (declared,) = np.flatnonzero(result.alert[0])
    score = result.score[0]
    assert score.argmax() == declared
    # The rest of the outage, and its windows' hour after it, add little.
    after = score[declared + 1 : end + 12]
    assert after.max() < 0.5 < score[declared]


def test_a_spike_like_one_seen_hours_ago_ranks_below_the_first():
    rng = np.random.default_rng(9)
    values = quiet_days(rng, 10)
    for minute in (600, 960):
        start = bucket(8, minute)
        values[start : start + 6] += rng.poisson(9 * RATE, size=6)
    result = replay(values, hours(values.size), float(WIDTH))
    first, second = np.flatnonzero(result.alert[0])
    # Both are declared, and rank above everything undeclared...
    assert min(result.score[0, [first, second]]) >= 0.5
    # ...but the second shows less that is new.
    assert result.score[0, second] < result.score[0, first]


def test_a_series_sampled_every_other_bucket_still_declares_a_surge():
    rng = np.random.default_rng(10)
    values = quiet_days(rng, 10)
    start, end = bucket(8, 600), bucket(8, 720)
    values[start:end] += rng.poisson(9 * RATE, size=end - start)
    missing = np.zeros(values.size, dtype=bool)
    missing[1::2] = True
    result = replay(values, hours(values.size), float(WIDTH), missing=missing)
    alerts = np.flatnonzero(result.alert[0])
    # A gap neither breaks the persistence nor counts as calm.
    assert len(alerts) == 1 and start <= alerts[0] <= start + 4
    assert not missing[alerts[0]]

"""The same detector on 1-, 5- and 60-minute buckets: seeded, no Django.

Every duration the rules name is wall time, so a series of any width is
judged on the same clock: a surge, a ramp and a lasting shift are caught or
learned alike, a flat series and a short burst stay silent.
"""

import numpy as np
import pytest

from outages.detection.clock import hours_of_week
from outages.detection.replay import replay
from outages.detection.significance import evidence, score
from outages.detection.simulation import START_EPOCH_MINUTE

DAY = 24 * 60
DAYS = 10
# Events begin on the ninth day: eight to learn normal from.
EVENT_DAY = 8
RATE = 5.0  # reporters a minute


def minutes_of(width):
    return np.arange(DAYS * DAY // width) * width


def normal(rng, width):
    """Over-dispersed counts per bucket with a daily cycle; and their mean."""
    minutes = minutes_of(width)
    mean = RATE * width * (1 + 0.5 * np.cos(2 * np.pi * (minutes / 60 - 19) / 24))
    return rng.poisson(rng.gamma(10.0, mean / 10.0)).astype(float), mean


def at(width, minute):
    return int((EVENT_DAY * DAY + minute) // width)


def series(width):
    """Flat, surge, ramp, level shift and burst series for one width."""
    rng = np.random.default_rng(width)
    flat, mean = normal(rng, width)
    surge, _ = normal(rng, width)
    start, end = at(width, 600), at(width, 600 + max(90, 3 * width))
    surge[start:end] += rng.poisson(9 * mean[start:end])
    ramp, _ = normal(rng, width)
    start, end = at(width, 600), at(width, 600 + max(60, 6 * width))
    steps = np.linspace(0.5, 8, end - start)
    ramp[start:end] += rng.poisson(steps * mean[start:end])
    shifted, _ = normal(rng, width)
    start = at(width, 0)
    shifted[start:] += rng.poisson(2 * mean[start:])  # three times, for good
    burst, _ = normal(rng, width)
    start = at(width, 600)
    # Two minutes of five times the normal rate, then normal again.
    extra = 4 * RATE * 2
    burst[start] += rng.poisson(extra)
    spilled, _ = normal(rng, width)
    # Five minutes of ten times normal, from two minutes into a bucket: at
    # 5 minutes and wider it fills the end of one bucket and the start of
    # the next, two buckets in a row well above normal.
    minutes = minutes_of(width)
    first = EVENT_DAY * DAY + 602
    inside = np.clip(
        np.minimum(minutes + width, first + 5) - np.maximum(minutes, first), 0, None
    )
    spilled += rng.poisson(9 * RATE * inside)
    return np.stack([flat, surge, ramp, shifted, burst, spilled])


@pytest.fixture(scope="module", params=[1, 5, 60], ids=lambda w: f"{w}min")
def judged(request):
    width = request.param
    values = series(width)
    hours = hours_of_week(START_EPOCH_MINUTE + minutes_of(width))
    return width, values, replay(values, hours, float(width))


def test_a_flat_series_stays_silent(judged):
    _, _, result = judged
    assert result.alert[0].sum() == 0 and result.incident[0].sum() == 0


def test_a_tenfold_surge_opens_one_incident(judged):
    width, _, result = judged
    alerts = np.flatnonzero(result.alert[1])
    onset = at(width, 600)
    assert len(alerts) == 1
    # Within the persistence asked of a surge, or two buckets.
    assert onset <= alerts[0] <= onset + max(8 // width, 2)
    # The score peaks where the detector alerts.
    assert result.score[1].argmax() == alerts[0]


def test_a_ramp_is_caught(judged):
    width, _, result = judged
    alerts = np.flatnonzero(result.alert[2])
    onset, end = at(width, 600), at(width, 600 + max(60, 6 * width))
    assert len(alerts) == 1 and onset <= alerts[0] < end


def test_a_lasting_level_shift_is_learned_then_silent(judged):
    width, _, result = judged
    # At most one incident for the change itself, ended within hours...
    assert result.alert[3].sum() <= 1
    assert not result.incident[3, at(width, 8 * 60) :].any()
    # ...and the expectation has followed it.
    last_day = slice(at(width, DAY), None)
    normal_expected = result.expected[0, last_day].mean()
    assert result.expected[3, last_day].mean() > 2 * normal_expected


def test_a_two_minute_burst_does_not_open_an_incident(judged):
    _, _, result = judged
    assert result.alert[4].sum() == 0


def test_a_burst_spilling_into_the_next_bucket_does_not_open_an_incident(judged):
    width, values, result = judged
    if width == 5:
        # Two buckets in a row were each about five times normal.
        both = values[5, at(5, 600) : at(5, 600) + 2]
        assert (both > 3 * values[0, at(5, 600) : at(5, 600) + 2]).all()
    assert result.alert[5].sum() == 0


def test_every_score_is_below_one(judged):
    _, _, result = judged
    assert (result.score >= 0).all() and (result.score < 1).all()


@pytest.mark.parametrize("mu", [0.01, 1.0, 300.0])
@pytest.mark.parametrize("alpha", [0.01, 0.5, 3.0])
def test_the_score_rises_with_the_excess_and_stays_below_one(mu, alpha):
    counts = np.concatenate([np.arange(0, 1000), np.logspace(3, 300, 500)])
    strength = evidence(counts, mu, alpha)
    assert (np.diff(strength) >= 0).all() and np.isfinite(strength).all()
    for declared in (False, True):
        ranked = score(strength, np.full(counts.size, declared), 1.0)
        assert (np.diff(ranked) >= 0).all()
        assert (ranked < 1).all()
    # Above the expectation, more reporters are more evidence.
    above = counts > 10 * mu + 10
    assert (np.diff(strength[above]) > 0).all()

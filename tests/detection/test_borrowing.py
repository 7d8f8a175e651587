"""Quiet and new series borrowing from their parents: pure NumPy, no Django."""

import numpy as np
import pytest

from outages.detection import borrowing
from outages.detection.baseline import FLOOR
from outages.detection.clock import hours_of_week
from outages.detection.replay import replay
from outages.detection.simulation import START_EPOCH_MINUTE

WEEK = 7 * 24 * 60
DAY = 24 * 60
LENGTH = 2 * WEEK + DAY  # two weeks to learn from, then a Monday to judge
# Monday 20:00-20:59 UTC (the simulated time starts on a Monday), in the
# third week: the hour-of-week slot has been learned twice.
JUDGED_HOUR = 2 * WEEK + 20 * 60


def daily(peak_hour: float) -> np.ndarray:
    """A daily cycle per minute of LENGTH, highest at `peak_hour` UTC."""
    minutes = np.arange(LENGTH)
    return 1 + 0.6 * np.cos(2 * np.pi * (minutes / 60 - peak_hour) / 24)


def run(values, family=None, missing=None):
    hours = hours_of_week(START_EPOCH_MINUTE + np.arange(LENGTH))
    return replay(values, hours, 1.0, missing=missing, family=family)


def world_and_country(rng, world_rate, country_rate, country_peak=20.0):
    """A world series and one of its countries, the world including it."""
    country_mean = country_rate * daily(country_peak)
    country = rng.poisson(country_mean).astype(float)
    world = rng.poisson(world_rate * daily(20.0)) + country
    return np.stack([world, country]), country_mean


def test_a_sparse_country_under_a_busy_world_expects_its_share_not_zero():
    rng = np.random.default_rng(21)
    values, country_mean = world_and_country(rng, world_rate=40.0, country_rate=0.03)
    # Bad luck: nobody in the country reported in this hour of the week
    # either time it was learned.
    for week in (0, 1):
        start = JUDGED_HOUR - (2 - week) * WEEK
        values[1, start : start + 60] = 0
    family = borrowing.family([-1, 0])

    alone = run(values).expected[1, JUDGED_HOUR + 30]
    borrowed = run(values, family).expected[1, JUDGED_HOUR + 30]

    true = country_mean[JUDGED_HOUR + 30]
    # Alone, the empty weekly slot is shrunk towards the series' own daily
    # and overall means (two hours of a handful of reporters say little).
    assert FLOOR < alone < true
    # Two empty hours are evidence that this hour is quieter than the world's
    # shape says, so not all of the way back up; but the same order as true.
    assert 0.25 * true < borrowed < 1.5 * true


def test_a_country_with_its_own_history_keeps_its_own_shape():
    rng = np.random.default_rng(22)
    # A busy country whose evening comes twelve hours before the world's.
    values, country_mean = world_and_country(
        rng, world_rate=40.0, country_rate=5.0, country_peak=8.0
    )
    family = borrowing.family([-1, 0])
    at = JUDGED_HOUR - 12 * 60 + 30  # the country's peak, the world's trough

    alone = run(values).expected[1, at]
    borrowed = run(values, family).expected[1, at]

    assert borrowed == pytest.approx(alone, rel=0.03)
    assert borrowed == pytest.approx(country_mean[at], rel=0.15)


def new_service_among(rng, rates, first_reports):
    """World series of services of one category and a new one at the end.

    The new service has no series until its first reports, a few minutes
    into the judged hour: its buckets before them are missing, not zero.
    """
    shape = daily(20.0)
    values = [rng.poisson(rate * shape).astype(float) for rate in rates]
    new = np.zeros(LENGTH)
    born = JUDGED_HOUR + 10
    new[born : born + len(first_reports)] = first_reports
    missing = np.zeros((len(rates) + 1, LENGTH), dtype=bool)
    missing[-1, :born] = True
    family = borrowing.family([-1] * (len(rates) + 1), [0] * (len(rates) + 1))
    return np.stack([*values, new]), missing, family, born


def test_a_new_service_expects_what_a_typical_service_of_its_category_does():
    rng = np.random.default_rng(23)
    values, missing, family, born = new_service_among(rng, [1.0, 2.0, 4.0], [1])

    alone = run(values, missing=missing).expected[-1, born]
    borrowed = run(values, family, missing).expected[-1, born]

    # The typical member: the geometric mean of 1, 2 and 4 a minute, at the
    # peak of their shared evening.
    assert alone == FLOOR
    assert borrowed == pytest.approx(2.0 * 1.6, rel=0.2)


@pytest.mark.parametrize("first_reports", [[2, 1], [3], [1, 1, 1]])
def test_a_new_service_does_not_alert_on_its_first_few_reports(first_reports):
    rng = np.random.default_rng(24)
    # A category of quiet services: the typical one gets 0.05 reports a
    # minute, so three at once would be many times normal.
    values, missing, family, _ = new_service_among(
        rng, [0.02, 0.05, 0.1], first_reports
    )
    result = run(values, family, missing)
    assert result.alert[-1].sum() == 0
    assert result.incident[-1].sum() == 0


def test_a_place_with_no_history_borrows_nothing_yet():
    rng = np.random.default_rng(25)
    values, _ = world_and_country(rng, world_rate=40.0, country_rate=0.5)
    missing = np.zeros(values.shape, dtype=bool)
    missing[1, :JUDGED_HOUR] = True  # the country's first report comes now
    values[1, JUDGED_HOUR] = 1
    result = run(values, borrowing.family([-1, 0]), missing)
    # Its share of the world is unknown until it has learned an hour.
    assert result.expected[1, JUDGED_HOUR] == FLOOR
    assert result.expected[1, JUDGED_HOUR + 60] > FLOOR


@pytest.mark.parametrize(
    ("parent", "message"),
    [([1, 0], "must not form a cycle"), ([-1, 5], "must be -1 or the index")],
)
def test_a_family_that_is_not_a_tree_is_refused(parent, message):
    with pytest.raises(ValueError, match=message):
        borrowing.family(parent)

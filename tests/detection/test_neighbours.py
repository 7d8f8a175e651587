"""An hour's expectation leans on its neighbouring hours (`baseline.smoothed`)."""

import numpy as np
from scipy.signal import lfilter

from outages.detection import baseline
from outages.detection.clock import hours_of_week
from outages.detection.replay import replay
from tests.detection.test_detector import START_EPOCH_MINUTE

WEEK = 7 * 1440


def test_an_hour_takes_a_quarter_of_each_neighbour():
    around = np.array([[4.0, 7.0], [8.0, 7.0], [20.0, 7.0]])
    np.testing.assert_allclose(baseline.smoothed(around), [10.0, 7.0])


def waves(rng, series, length, minutes=30.0, sd=0.4):
    """Log-normal factors correlated over `minutes`: reports come in waves."""
    phi = np.exp(-1.0 / minutes)
    shocks = rng.normal(0.0, sd * np.sqrt(1 - phi**2), (series, length))
    return np.exp(lfilter([1.0], [1.0, -phi], shocks, axis=1) - sd**2 / 2)


def expectation_error(monkeypatch, weight, values, rate):
    monkeypatch.setattr(baseline, "NEIGHBOUR_WEIGHT", weight)
    minutes = START_EPOCH_MINUTE + np.arange(values.shape[1])
    expected = replay(values, hours_of_week(minutes), 1.0).expected
    last_week = slice(-WEEK, None)
    return np.median(np.abs(np.log(expected[:, last_week] / rate[:, last_week])))


def test_neighbours_steady_what_a_wavy_series_expects(monkeypatch):
    rng = np.random.default_rng(5)
    series, length = 30, 3 * WEEK
    day = np.arange(length) % 1440 / 1440
    scale = np.exp(rng.uniform(np.log(0.5), np.log(20), series))[:, None]
    rate = scale * (1 + 0.6 * np.sin(2 * np.pi * (day - 0.3)))
    values = rng.poisson(rate * waves(rng, series, length)).astype(float)

    alone = expectation_error(monkeypatch, 0.0, values, rate)
    with_neighbours = expectation_error(monkeypatch, 0.25, values, rate)

    assert with_neighbours < 0.85 * alone

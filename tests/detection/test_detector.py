"""The detector on seeded series: pure NumPy, nothing from Django."""

import numpy as np
import pytest

from outages.detection.clock import hours_of_week
from outages.detection.detector import Detector
from outages.detection.lifecycle import ONGOING
from outages.detection.replay import replay
from outages.detection.simulation import START_EPOCH_MINUTE

WEEK = 7 * 24 * 60
# Outages start after a week and a bit: the detector has learned normal.
LEARNED = int(1.2 * WEEK)


def seasonal_counts(rng, weeks=1.6, rate=5.0, shape=8.0):
    """Over-dispersed counts per minute with a daily cycle."""
    minutes = np.arange(int(weeks * WEEK))
    daily = 1 + 0.6 * np.cos(2 * np.pi * (minutes / 60 - 20) / 24)
    mean = rate * daily
    return rng.poisson(rng.gamma(shape, mean / shape)).astype(float), mean


def run(values):
    hours = hours_of_week(START_EPOCH_MINUTE + np.arange(values.shape[-1]))
    return replay(values, hours, bucket_minutes=1.0)


def test_a_flat_series_stays_silent():
    rng = np.random.default_rng(1)
    values = rng.poisson(5.0, size=int(1.6 * WEEK)).astype(float)
    result = run(values)
    assert result.alert.sum() == 0
    assert result.incident.sum() == 0


def test_a_seasonal_series_stays_silent():
    values, _ = seasonal_counts(np.random.default_rng(2))
    assert run(values).alert.sum() == 0


def test_a_tenfold_surge_opens_one_incident_once_it_persists_and_it_resolves():
    rng = np.random.default_rng(3)
    values, mean = seasonal_counts(rng)
    onset = LEARNED + 600
    values[onset : onset + 45] += rng.poisson(9 * mean[onset : onset + 45])
    result = run(values)
    alerts = np.flatnonzero(result.alert[0])
    assert len(alerts) == 1
    # A surge that is not huge must persist (8 minutes) before it opens.
    assert onset <= alerts[0] <= onset + 8
    assert result.incident[0, onset + 10 : onset + 45].all()
    assert not result.incident[0, onset + 90 :].any()
    # The expectation stays near normal through the outage.
    assert result.expected[0, onset + 40] < 2 * mean[onset + 40]


def test_a_short_blip_does_not_open_an_incident():
    rng = np.random.default_rng(4)
    values, mean = seasonal_counts(rng)
    values[LEARNED + 300] += 6 * mean[LEARNED + 300]
    assert run(values).alert.sum() == 0


def test_a_noisy_outage_does_not_flap():
    rng = np.random.default_rng(5)
    values, mean = seasonal_counts(rng, rate=3.0)
    onset = LEARNED + 900
    # An outage whose reports come and go from minute to minute: on average
    # four times normal, so above the minimum effect of three.
    surge = rng.poisson(6 * mean[onset : onset + 120]) * rng.integers(0, 2, 120)
    values[onset : onset + 120] += surge
    result = run(values)
    assert result.alert.sum() == 1


def test_a_slow_ramp_is_caught_before_it_peaks():
    rng = np.random.default_rng(6)
    values, mean = seasonal_counts(rng)
    onset = LEARNED + 1200
    ramp = np.linspace(0, 7, 40)
    values[onset : onset + 40] += rng.poisson(ramp * mean[onset : onset + 40])
    alerts = np.flatnonzero(run(values).alert[0])
    assert len(alerts) == 1 and onset <= alerts[0] < onset + 40


def test_two_reports_on_a_quiet_series_do_not_alert():
    rng = np.random.default_rng(7)
    values = rng.poisson(0.05, size=int(1.6 * WEEK)).astype(float)
    values[LEARNED + 100] += 2
    assert run(values).alert.sum() == 0


def test_growth_is_followed_not_alerted():
    rng = np.random.default_rng(8)
    values, mean = seasonal_counts(rng, weeks=2)
    growth = np.exp(np.linspace(0, np.log(2.5), values.size))
    values = rng.poisson(rng.gamma(8.0, mean * growth / 8.0)).astype(float)
    assert run(values).alert.sum() == 0


def test_many_series_are_judged_at_once_like_one():
    rng = np.random.default_rng(9)
    one, mean = seasonal_counts(rng)
    onset = LEARNED + 100
    one[onset : onset + 30] += rng.poisson(8 * mean[onset : onset + 30])
    quiet, _ = seasonal_counts(rng)
    both = run(np.stack([one, quiet]))
    assert both.alert[0].sum() == 1 and both.alert[1].sum() == 0
    assert np.array_equal(both.alert[0], run(one).alert[0])


def test_missing_buckets_are_skipped():
    rng = np.random.default_rng(10)
    values = rng.poisson(5.0, size=int(1.6 * WEEK)).astype(float)
    missing = np.zeros(values.size, dtype=bool)
    missing[LEARNED : LEARNED + 300] = True
    values[missing] = 1e9  # never looked at
    hours = hours_of_week(START_EPOCH_MINUTE + np.arange(values.size))
    result = replay(values, hours, 1.0, missing=missing)
    assert result.alert.sum() == 0


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ([], "the series is empty"),
        ([1.0, float("nan"), 2.0], "must be finite"),
        ([1.0, -2.0, 3.0], "must not be negative"),
    ],
)
def test_input_that_cannot_be_counts_is_refused(values, message):
    with pytest.raises(ValueError, match=message):
        replay(np.array(values), np.zeros(len(values), dtype=int), 1.0)


def test_a_forgiven_series_ends_its_incident_and_learns_the_rise_as_normal():
    rng = np.random.default_rng(12)
    normal, mean = seasonal_counts(rng)
    onset = LEARNED + 600
    # Two identical series, raised for good at the onset: an operator calls
    # the first one's incident a false alarm half an hour in.
    raised = normal.copy()
    raised[onset:] += rng.poisson(5 * mean[onset:])
    values = np.stack([raised, raised])
    hours = hours_of_week(START_EPOCH_MINUTE + np.arange(values.shape[1]))
    detector = Detector(2, bucket_minutes=1.0)
    forgiven_at = onset + 30
    for t in range(forgiven_at):
        *_, ongoing = detector.step(int(hours[t]), values[:, t])
    assert ongoing.all()
    # As the live cycle does, on the state it saved.
    detector = Detector.load(detector.save(), bucket_minutes=1.0)

    ended = detector.forgive(np.array([True, False]))

    assert list(ended) == [True, False]
    assert list(detector.states.cooldown) == [0, 0]
    after = range(forgiven_at, forgiven_at + 90)
    opened_after = np.zeros((2, len(after)), dtype=bool)
    ongoing_after = np.zeros((2, len(after)), dtype=bool)
    for i, t in enumerate(after):
        mu, _, opened_after[:, i], ongoing_after[:, i] = detector.step(
            int(hours[t]), values[:, t]
        )
    assert not opened_after[0].any() and not ongoing_after[0].any()
    assert ongoing_after[1].all()
    # The forgiven series expects the raised traffic; its twin still
    # expects what was normal before.
    now = after[-1]
    raised_mean = 6 * mean[now]
    assert mu[0] > raised_mean / 2
    assert mu[1] < 2 * mean[now]


def test_a_series_that_opens_again_and_again_needs_more_to_open_once_more():
    rng = np.random.default_rng(11)
    values, mean = seasonal_counts(rng)
    # A jump every three hours (a gauge's routine, not an outage): two of an
    # hour, two as high but half as long, and last one far higher.
    onsets = LEARNED + 180 * np.arange(5)
    lengths, ratios = [60, 60, 30, 30, 30], [10, 10, 10, 10, 60]
    for onset, length, ratio in zip(onsets, lengths, ratios, strict=True):
        span = slice(onset, onset + length)
        values[span] += rng.poisson((ratio - 1) * mean[span])
    alerts = np.flatnonzero(run(values).alert[0])
    opened = [bool(((alerts >= a) & (alerts < a + 60)).any()) for a in onsets]
    # Two open; then what shows less than they did does not, the higher does.
    assert opened == [True, True, False, False, True]


def test_detectors_joined_judge_each_series_as_its_own_did():
    rng = np.random.default_rng(21)
    rates = np.array([2.0, 5.0, 0.5, 9.0, 3.0])
    end = START_EPOCH_MINUTE + 2 * 1440 + 200
    # Two shards' detectors that began about a day apart (one relearned,
    # say): their windows' rings are half a turn apart at the same minute.
    first, second = Detector(3, 1.0), Detector(2, 1.0)
    for detector, rate, start in (
        (first, rates[:3], START_EPOCH_MINUTE),
        (second, rates[3:], START_EPOCH_MINUTE + 1440 + 30),
    ):
        detector.population = 5
        for minute in range(start, end):
            detector.step(int(hours_of_week(minute)), rng.poisson(rate) * 1.0)
    assert first.steps != second.steps

    joined = Detector.joined([first, second])
    joined.population = 5
    assert joined.steps == first.steps
    # A surge in one series of each: judged alike, bucket by bucket (before
    # either reaches the end of an hour's block, which the joined detector
    # closes at the first's time).
    for minute in range(end, end + 8):
        counts = rng.poisson(rates) * 1.0 + np.array([0, 40, 0, 0, 60.0])
        hour = int(hours_of_week(minute))
        apart = [first.step(hour, counts[:3]), second.step(hour, counts[3:])]
        together = joined.step(hour, counts)
        for a, b, t in zip(*apart, together, strict=True):
            np.testing.assert_allclose(t, np.r_[a, b])
        np.testing.assert_allclose(
            joined.window_observed,
            np.r_[first.window_observed, second.window_observed],
        )
    assert joined.states.state[[1, 4]].tolist() == [ONGOING, ONGOING]

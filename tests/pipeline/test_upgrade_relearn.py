"""A radar upgraded to a detector that cannot read the saved state relearns
from its stored buckets instead of starting blind."""

import io

import numpy as np
import time_machine

from outages.detection.detector import Detector
from outages.models import Bucket, DetectorState, Incident, Service, Symptom
from outages.pipeline import shards, state
from outages.pipeline.cycle import detect_new_minutes
from tests.helpers.outage import MINUTE, NOW, surge

DAYS = 3


def stored_history(service, symptom, days=DAYS, rate=2):
    """`rate` reporters a minute worldwide for `days`, as stored buckets."""
    last = NOW.replace(second=0) - MINUTE
    minutes = [last - i * MINUTE for i in range(days * 24 * 60)]
    Bucket.objects.bulk_create(
        Bucket(
            service=service,
            region="",
            symptom=symptom,
            minute=m,
            reports=rate,
            reporters=rate,
        )
        for m in minutes
    )
    return last


def an_old_state(keys, last):
    """A saved state in a format the detector no longer reads (of the first
    key's shard)."""
    buffer = io.BytesIO()
    np.savez(
        buffer,
        services=np.array([k[0] for k in keys], dtype=np.int64),
        regions=np.array([k[1] for k in keys], dtype="U10"),
        state=np.zeros(len(keys)),
    )
    DetectorState.objects.create(
        shard=shards.of(keys[0][0]),
        shards=shards.count(),
        arrays=buffer.getvalue(),
        minute=last,
    )


def test_an_unreadable_state_is_relearned_from_the_stored_buckets(
    client, catalog, cycle_at
):
    tiktok = Service.objects.get(slug="tiktok")
    last = stored_history(tiktok, Symptom.objects.get(slug="login"))
    an_old_state([(tiktok.id, "")], last)

    with time_machine.travel(NOW + MINUTE, tick=False):
        detect_new_minutes()
    keys, detector = state.saved(shards.of(tiktok.id))
    assert keys == [(tiktok.id, "")]
    # Three days replayed, and the minute since.
    assert detector.steps == DAYS * 24 * 60 + 1
    assert not Incident.objects.exists()

    # It judges with what it relearned: a surge opens an incident.
    with time_machine.travel(NOW + 2 * MINUTE, tick=False):
        surge(client, 60, region="")
    for k in range(3, 12):
        cycle_at(NOW + k * MINUTE)
        if Incident.objects.exists():
            break
    assert Incident.objects.filter(service=tiktok).exists()


def test_a_readable_state_is_not_relearned(catalog):
    tiktok = Service.objects.get(slug="tiktok")
    last = NOW.replace(second=0) - MINUTE
    detector = Detector(1, 1.0)
    for _ in range(5):
        detector.step(0, np.array([1.0]))
    DetectorState.objects.create(
        shard=shards.of(tiktok.id),
        shards=shards.count(),
        arrays=state.pack([(tiktok.id, "")], detector),
        minute=last,
    )
    with time_machine.travel(NOW + MINUTE, tick=False):
        detect_new_minutes()
    assert state.saved(shards.of(tiktok.id))[1].steps == 6


def test_a_new_number_of_shards_splits_the_saved_series_without_relearning(
    catalog, settings
):
    settings.DETECTOR_SHARDS = 1
    login = Symptom.objects.get(slug="login")
    two = list(Service.objects.order_by("id")[:2])
    for service in two:
        stored_history(service, login, days=1)
    with time_machine.travel(NOW, tick=False):
        detect_new_minutes()
    # One shard holds both series, from the one minute it judged.
    assert sorted(state.saved(0)[0]) == [(s.id, "") for s in two]

    settings.DETECTOR_SHARDS = 2
    with time_machine.travel(NOW + MINUTE, tick=False):
        detect_new_minutes()
    for service in two:
        keys, detector = state.saved(shards.of(service.id))
        assert keys == [(service.id, "")]
        # Split as it stood, and one more minute judged: not relearned.
        assert detector.steps == 2
    assert DetectorState.objects.filter(shards=2).count() == 2


def test_a_radar_saved_in_one_row_is_split_into_shards_as_it_stands(catalog):
    tiktok, other = Service.objects.order_by("id")[:2]
    last = NOW.replace(second=0) - MINUTE
    keys = [(tiktok.id, ""), (tiktok.id, "DE"), (other.id, "")]
    detector = Detector(3, 1.0)
    for _ in range(5):
        detector.step(0, np.array([1.0, 2.0, 3.0]))
    # As the migration leaves a state saved before shards.
    DetectorState.objects.create(
        shard=0, shards=1, arrays=state.pack(keys, detector), minute=last
    )
    with time_machine.travel(NOW + MINUTE, tick=False):
        detect_new_minutes()
    for service in (tiktok, other):
        found, saved = state.saved(shards.of(service.id))
        assert found == [k for k in keys if k[0] == service.id]
        assert saved.steps == 6
    assert DetectorState.objects.count() == shards.count()


def test_rows_at_different_minutes_are_relearned_from_the_buckets(catalog, settings):
    login = Symptom.objects.get(slug="login")
    tiktok = Service.objects.get(slug="tiktok")
    last = stored_history(tiktok, login, days=1)
    settings.DETECTOR_SHARDS = 2
    for shard, minute in ((0, last), (1, last - MINUTE)):
        DetectorState.objects.create(shard=shard, shards=1, minute=minute)
    with time_machine.travel(NOW + MINUTE, tick=False):
        detect_new_minutes()
    keys, detector = state.saved(shards.of(tiktok.id))
    assert keys == [(tiktok.id, "")]
    assert detector.steps >= 24 * 60

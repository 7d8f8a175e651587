"""The detector's state in shards: each shard judged on its own, the same
judgement as all series in one."""

import numpy as np
import pytest
import time_machine

from outages.detection import significance
from outages.models import DetectorState, Incident, Service
from outages.pipeline import shards, state, status
from outages.pipeline.bucketing import bucket_new_reports
from outages.pipeline.history import learn_history
from tests.helpers.history import quiet_history
from tests.helpers.outage import MINUTE, NOW, person

pytestmark = pytest.mark.django_db


def histories(services):
    """Two weeks of normal reports for each service, worldwide and in DE."""
    keys, counts = [], []
    for seed, service in enumerate(services):
        k, c = quiet_history(service.id, {"": 3.0, "DE": 1.0}, seed=seed)
        keys += k
        counts.append(c)
    return keys, np.concatenate(counts)


def crowd(client, service, people, region="DE"):
    for i in range(people):
        response = client.post(
            "/api/v1/reports",
            {"service": service.slug, "symptom": "login", "region": region},
            content_type="application/json",
            **person(i),
        )
        assert response.status_code == 201


def test_one_shard_and_eight_open_and_resolve_the_same_incidents(
    client, catalog, settings, cycle_at
):
    services = list(Service.objects.order_by("id")[:16])
    keys, counts = histories(services)
    # Surges in services of different shards, and one too small to count.
    with time_machine.travel(NOW, tick=False):
        crowd(client, services[1], 40)
        crowd(client, services[6], 45)
        crowd(client, services[11], 60)
        crowd(client, services[12], 3)
        # Stored once, judged twice.
        bucket_new_reports()

    found = {}
    for count in (1, 8):
        settings.DETECTOR_SHARDS = count
        Incident.objects.all().delete()
        DetectorState.objects.all().delete()
        learn_history(keys, counts, last=NOW.replace(second=0) - MINUTE)
        for minutes in range(1, 30):
            cycle_at(NOW + minutes * MINUTE)
        found[count] = sorted(
            (
                i.service_id,
                i.opened_at,
                i.resolved_at,
                tuple(r["region"] for r in i.regions),
            )
            for i in Incident.objects.all()
        )
        assert DetectorState.objects.filter(shards=count).count() == count

    assert {i[0] for i in found[1]} == {services[n].id for n in (1, 6, 11)}
    assert len({shards.of(i[0]) for i in found[8]}) == 3
    assert found[8] == found[1]


def test_each_shard_keeps_the_false_discovery_rate_over_all_series():
    rng = np.random.default_rng(3)
    p = np.concatenate([rng.uniform(size=9_990), 10 ** -rng.uniform(4, 9, size=10)])
    together = significance.benjamini_hochberg(p, 0.01)
    part = rng.integers(0, 8, size=p.size)
    apart = np.zeros(p.size, dtype=bool)
    for k in range(8):
        mine = part == k
        apart[mine] = significance.benjamini_hochberg(p[mine], 0.01, tested=p.size)
    # Ranked against every series, a shard finds no more than all together
    # would, and a lone p-value is judged alike.
    assert apart.sum() >= 3 and not (apart & ~together).any()
    alone = significance.benjamini_hochberg(p[-1:], 0.01, tested=p.size)
    assert alone[0] == (p[-1] <= 0.01 / p.size)


def test_a_new_service_borrows_its_category_from_the_other_shards(
    client, catalog, settings, cycle_at
):
    settings.DETECTOR_SHARDS = 2
    tiktok = Service.objects.get(slug="tiktok")
    keys, counts = quiet_history(tiktok.id, {"": 4.0})
    learn_history(keys, counts, last=NOW.replace(second=0) - MINUTE)
    # A service of TikTok's category judged in the other shard, no history.
    new = (
        Service.objects.filter(category=tiktok.category)
        .exclude(id=tiktok.id)
        .filter(
            id__in=[
                s.id
                for s in Service.objects.all()
                if shards.of(s.id) != shards.of(tiktok.id)
            ]
        )
        .first()
    )
    with time_machine.travel(NOW, tick=False):
        crowd(client, new, 3, region="")
    cycle_at(NOW + MINUTE)
    cycle_at(NOW + 2 * MINUTE)
    assert state.saved(shards.of(new.id))[0] == [(new.id, "")]
    # It expects what the typical member of its category does (TikTok's 4
    # reporters a minute, summed over the window), not zero.
    level = status.service_level(new.id)
    assert level["level"] == "ok" and not Incident.objects.exists()
    assert level["observed"] == 3 and 4 < level["expected"] < 12

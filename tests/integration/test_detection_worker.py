import os
import signal
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone

from outages.catalog import load_catalog, lookup
from outages.models import Bucket, DetectorState, Incident, Service
from outages.pipeline import shards
from outages.pipeline.bucketing import bucket_new_reports
from outages.pipeline.history import learn_history
from outages.tasks import detect, detect_shard
from tests.helpers.history import quiet_history
from tests.helpers.outage import person
from tests.helpers.servers import celery_worker, wait_until

pytestmark = pytest.mark.django_db(transaction=True)
MINUTE = timedelta(minutes=1)


def report(client, people, start=0):
    for i in range(start, start + people):
        response = client.post(
            "/api/v1/reports",
            {"service": "tiktok", "symptom": "app-wont-open", "region": "BR"},
            content_type="application/json",
            **person(i),
        )
        assert response.status_code == 201


def quiet_tiktok():
    """TikTok with two quiet weeks learned up to the minute before this one,
    so reports sent now land in a minute to judge; and this minute."""
    load_catalog()
    lookup.forget()
    tiktok = Service.objects.get(slug="tiktok")
    onset = timezone.now().replace(second=0, microsecond=0)
    keys, counts = quiet_history(tiktok.id, {"": 3.0, "BR": 0.5})
    learn_history(keys, counts, last=onset - MINUTE)
    return tiktok, onset


def test_the_worker_opens_and_resolves_an_incident_from_reports(client):
    tiktok, onset = quiet_tiktok()
    report(client, 60)

    def cycle(at):
        """One cycle on the worker; done when it has judged the last minute."""
        detect.delay(now=at.isoformat())
        last = at.replace(second=0, microsecond=0) - MINUTE
        # Every shard's task has judged the minute.
        wait_until(
            lambda: (
                DetectorState.objects.filter(minute__gte=last).count() == shards.count()
            ),
            timeout=60,
        )

    with celery_worker():
        cycle(onset + MINUTE + timedelta(seconds=15))
        cycle(onset + 2 * MINUTE + timedelta(seconds=15))
        incident = wait_until(lambda: Incident.objects.filter(service=tiktok).first())
        assert incident.state == Incident.State.ONGOING
        assert "BR" in {r["region"] for r in incident.regions}
        assert next(iter(incident.symptoms)) == "app-wont-open"
        cycle(onset + 30 * MINUTE + timedelta(seconds=15))
    incident.refresh_from_db()
    assert incident.state == Incident.State.RESOLVED


def backends_waiting_for_a_lock() -> int:
    with connection.cursor() as cursor:
        # Inside a transaction the activity is a snapshot unless cleared.
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity"
            " WHERE wait_event_type = 'Lock' AND datname = current_database()"
        )
        return cursor.fetchone()[0]


def test_a_shard_killed_mid_cycle_keeps_its_state_and_the_next_cycle_judges_it(
    client,
):
    tiktok, _ = quiet_tiktok()
    shard = shards.of(tiktok.id)
    before = DetectorState.objects.get(shard=shard)
    report(client, 100)
    bucket_new_reports()  # as the `detect` task does before the shards'
    # The minute the surge ended (the clock may have turned during it).
    surge = Bucket.objects.filter(region="BR").aggregate(last=Max("minute"))["last"]
    at = surge + MINUTE + timedelta(seconds=15)

    with celery_worker() as worker:
        # The cycle judges, opens its incident and then waits to save the
        # shard's state, where it is killed.
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(
                    "LOCK TABLE outages_detectorstate IN SHARE ROW EXCLUSIVE MODE"
                )
            detect_shard.delay(shard, at.isoformat())
            wait_until(lambda: backends_waiting_for_a_lock() == 1, timeout=60)
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait()
        wait_until(lambda: backends_waiting_for_a_lock() == 0)

    after = DetectorState.objects.get(shard=shard)
    assert after.minute == before.minute
    assert bytes(after.arrays) == bytes(before.arrays)
    assert not Incident.objects.exists()

    with celery_worker():
        detect_shard.delay(shard, (at + MINUTE).isoformat())
        incident = wait_until(lambda: Incident.objects.filter(service=tiktok).first())
    # The next cycle judged the minutes of the surge, which the killed one had.
    assert incident.opened_at <= surge + MINUTE
    assert DetectorState.objects.get(shard=shard).minute == surge + MINUTE

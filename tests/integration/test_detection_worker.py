from datetime import timedelta

import pytest
from django.utils import timezone

from outages.catalog import load_catalog, lookup
from outages.models import DetectorState, Incident, Service
from outages.pipeline.history import learn_history
from outages.tasks import detect
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


def test_the_worker_opens_and_resolves_an_incident_from_reports(client):
    load_catalog()
    lookup.forget()
    tiktok = Service.objects.get(slug="tiktok")
    # Learned up to two minutes ago, so the surge lands in a minute to judge.
    now = timezone.now()
    onset = now.replace(second=0, microsecond=0)
    keys, counts = quiet_history(tiktok.id, {"": 3.0, "BR": 0.5})
    learn_history(keys, counts, last=onset - MINUTE)
    report(client, 60)

    def cycle(at):
        """One cycle on the worker; done when it has judged the last minute."""
        detect.delay(now=at.isoformat())
        last = at.replace(second=0, microsecond=0) - MINUTE
        wait_until(
            lambda: DetectorState.objects.filter(minute__gte=last).exists(), timeout=60
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

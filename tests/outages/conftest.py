"""A service with weeks of normal history, and cycles run as the worker would."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from outages.bucketing import bucket_new_reports
from outages.cycle import detect_new_minutes
from outages.history import learn_history
from outages.models import Incident, Service
from tests.history import quiet_history

NOW = datetime(2026, 11, 24, 12, 0, 30, tzinfo=UTC)
MINUTE = timedelta(minutes=1)


@pytest.fixture
def tiktok_with_history(catalog):
    """Two weeks of normal TikTok reports worldwide and in Germany."""
    tiktok = Service.objects.get(slug="tiktok")
    keys, counts = quiet_history(tiktok.id, {"": 4.0, "DE": 1.0})
    learn_history(keys, counts, last=NOW.replace(second=0) - MINUTE)
    return tiktok


def surge(client, people, region="DE", symptom="login", start=0):
    """`people` distinct reporters report the service through the API."""
    for i in range(start, start + people):
        response = client.post(
            "/api/v1/reports",
            {"service": "tiktok", "symptom": symptom, "region": region},
            content_type="application/json",
            HTTP_USER_AGENT=f"person-{i}",
        )
        assert response.status_code == 201


@pytest.fixture
def cycle_at(django_capture_on_commit_callbacks):
    """Bucket and detect as the worker would at `moment`."""

    def run(moment):
        with (
            time_machine.travel(moment, tick=False),
            django_capture_on_commit_callbacks(execute=True),
        ):
            bucket_new_reports()
            return detect_new_minutes()

    return run


@pytest.fixture
def outage_in_germany(client, tiktok_with_history, cycle_at):
    """40 people in Germany cannot log in to TikTok; detection has run."""
    with time_machine.travel(NOW, tick=False):
        surge(client, 40, region="DE", symptom="login")
    cycle_at(NOW + MINUTE)
    cycle_at(NOW + 2 * MINUTE)
    return Incident.objects.get()

"""Fixtures every test folder may use: a clean slate, the catalog, a learned
detector and cycles run as the worker would."""

import pytest
import time_machine
from django.core.cache import caches

from config import redis
from outages.catalog import load_catalog, lookup
from outages.models import Incident, Service
from outages.pipeline import status
from outages.pipeline.bucketing import bucket_new_reports
from outages.pipeline.cycle import detect_new_minutes
from outages.pipeline.history import learn_history
from outages.web import band
from tests.helpers.history import quiet_history
from tests.helpers.outage import MINUTE, NOW, surge


@pytest.fixture(autouse=True)
def clean_slate():
    """Each test starts with an empty Redis and no cached catalog."""
    redis.client().flushdb()
    caches["local"].clear()
    lookup.forget()
    band.forget_baselines()
    yield
    lookup.forget()


@pytest.fixture
def catalog(db):
    """The real catalog, as `make run` loads it."""
    load_catalog()
    lookup.forget()


@pytest.fixture
def detection_ran(catalog):
    """A cycle has just run and found nothing: every service is at "ok"
    (without one, levels are "unknown")."""
    status.publish_quiet()


@pytest.fixture
def tiktok_with_history(catalog):
    """Two weeks of normal TikTok reports worldwide and in Germany."""
    tiktok = Service.objects.get(slug="tiktok")
    keys, counts = quiet_history(tiktok.id, {"": 4.0, "DE": 1.0})
    learn_history(keys, counts, last=NOW.replace(second=0) - MINUTE)
    return tiktok


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

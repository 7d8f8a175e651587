import pytest
from django.core.cache import caches

from outages import readings
from outages.catalog import load_catalog, lookup
from reports import redis


@pytest.fixture(autouse=True)
def clean_slate():
    """Each test starts with an empty Redis and no cached catalog."""
    redis.client().flushdb()
    caches["local"].clear()
    lookup.forget()
    readings.forget_baselines()
    yield
    lookup.forget()


@pytest.fixture
def catalog(db):
    """The real catalog, as `make run` loads it."""
    load_catalog()
    lookup.forget()

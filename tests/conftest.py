import pytest

from outages.catalog import load_catalog


@pytest.fixture
def catalog(db):
    """The real catalog, as `make run` loads it."""
    load_catalog()

import csv
from io import StringIO

import pytest
from django.core.management import call_command

from outages.catalog import load_catalog, lookup
from tests.helpers.intake import stored as moved


def test_simulate_writes_labelled_series_that_backtest_reads(tmp_path):
    call_command(
        "simulate",
        "--out",
        tmp_path / "sim",
        "--series",
        "2",
        "--weeks",
        "1.2",
        stdout=StringIO(),
    )
    with (tmp_path / "sim" / "labels.csv").open() as f:
        labels = list(csv.DictReader(f))
    assert {row["file"] for row in labels} == {"series-000.csv", "series-001.csv"}
    call_command(
        "backtest",
        tmp_path / "sim" / "series-000.csv",
        tmp_path / "out.csv",
        stdout=StringIO(),
        stderr=StringIO(),
    )
    with (tmp_path / "sim" / "series-000.csv").open() as source:
        rows = sum(1 for _ in source)
    with (tmp_path / "out.csv").open() as result:
        assert sum(1 for _ in result) == rows


@pytest.mark.django_db(transaction=True)
def test_simulate_feeds_a_running_radar_through_the_api(live_server):
    load_catalog()
    lookup.forget()
    out = StringIO()
    call_command(
        "simulate",
        "--api",
        live_server.url,
        "--rate",
        "600",
        "--minutes",
        "0.05",
        stdout=out,
    )
    stored = moved().filter(source="api", service__slug="tiktok")
    assert stored.count() > 5
    # Each simulated person on an address of their own: a crowd, all counted.
    assert stored.filter(counted=True).count() == stored.count()
    assert f"{stored.count()} accepted, {stored.count()} counted" in out.getvalue()

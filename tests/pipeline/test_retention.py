"""Daily partitions made ahead and dropped after their retention, and the
hourly roll-ups that keep the counts of the minutes dropped."""

from datetime import UTC, datetime, timedelta

import numpy as np
import pytest
import time_machine
from django.db import connection

from outages.models import Bucket, HourBucket, Service, Symptom
from outages.pipeline import partitions, rollups
from outages.web import points
from reports import log
from reports.models import Report
from tests.helpers.outage import person

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 24, 12, 20, 30, tzinfo=UTC)
HOUR = timedelta(hours=1)
DAY = timedelta(days=1)


def minute_buckets(service, symptom, first, minutes, seed=5):
    """Random reports in each minute from `first`; their total reporters."""
    rng = np.random.default_rng(seed)
    reporters = rng.poisson(3.0, minutes)
    Bucket.objects.bulk_create(
        Bucket(
            service=service,
            region="",
            symptom=symptom,
            minute=first + i * timedelta(minutes=1),
            reports=int(n) + 1,
            reporters=int(n),
        )
        for i, n in enumerate(reporters)
    )
    return reporters


def table_of(table, pk):
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT tableoid::regclass::text FROM {table} WHERE id = %s", [pk]
        )
        return cursor.fetchone()[0]


@pytest.fixture
def login(catalog):
    return Service.objects.get(slug="tiktok"), Symptom.objects.get(slug="login")


def test_the_next_days_get_their_partitions_and_rows_waiting_move_in(login):
    service, symptom = login
    # A bucket of a day that has no partition yet waits in the default one.
    early = Bucket.objects.create(
        service=service, symptom=symptom, minute=NOW + 2 * DAY, reporters=1
    )
    assert table_of("outages_bucket", early.id) == "outages_bucket_default"

    done = partitions.maintain(NOW)

    for table in partitions.TABLES:
        days = partitions.days_of(table)
        for ahead in range(partitions.AHEAD_DAYS + 1):
            assert (NOW + ahead * DAY).date() in days
    assert "outages_bucket_p20261126" in done.made
    assert table_of("outages_bucket", early.id) == "outages_bucket_p20261126"
    # Made once: a second run has nothing to make.
    assert partitions.maintain(NOW).made == []


def test_the_hourly_roll_up_is_the_sum_of_its_minutes(login):
    service, symptom = login
    first = NOW.replace(minute=0, second=0) - 5 * HOUR
    reporters = minute_buckets(service, symptom, first, 5 * 60 + 20)

    with time_machine.travel(NOW, tick=False):
        assert rollups.roll_up() == 5
    hours = HourBucket.objects.filter(service=service).order_by("hour")
    assert [h.hour for h in hours] == [first + i * HOUR for i in range(5)]
    for i, hour in enumerate(hours):
        assert hour.reporters == reporters[i * 60 : (i + 1) * 60].sum()
        assert hour.reports == hour.reporters + 60
    # The hour under way is not complete: it waits for the next roll-up.
    assert rollups.rolled_until() == NOW.replace(minute=0, second=0)

    # A window ending inside a rolled-up hour counts that hour's minutes
    # before its end, not the whole hour.
    found = points.counts(service.id, first, first + 2.5 * HOUR, 60)
    assert sorted(found) == [first, first + HOUR, first + 2 * HOUR]
    assert found[first][1] == reporters[:60].sum()
    assert found[first + 2 * HOUR][1] == reporters[120:150].sum()


def test_the_roll_up_waits_for_reports_still_in_the_intake_log(client, login):
    service, symptom = login
    first = NOW.replace(minute=0, second=0) - 5 * HOUR
    minute_buckets(service, symptom, first, 5 * 60)
    # A report taken in two hours ago, not yet moved out of the intake log.
    with time_machine.travel(NOW - 2 * HOUR, tick=False):
        response = client.post(
            "/api/v1/reports",
            {"service": "tiktok", "symptom": "login"},
            content_type="application/json",
            **person(1),
        )
    assert response.status_code == 201 and log.backlog().reports == 1

    with time_machine.travel(NOW, tick=False):
        rollups.roll_up()
    assert rollups.rolled_until() == (NOW - 2 * HOUR).replace(minute=0, second=0)


def test_old_partitions_are_dropped_and_the_series_still_answers_from_hours(
    client, login, settings
):
    service, symptom = login
    settings.MINUTE_BUCKETS_RETENTION_DAYS = 20
    settings.REPORTS_RETENTION_DAYS = 10
    old_day = (NOW - 30 * DAY).replace(hour=0, minute=0, second=0)
    for day in (old_day, NOW - DAY):
        partitions.ensure(partitions.MINUTE_BUCKETS, day.date())
    # Three hours thirty days ago, and the last three hours.
    old = minute_buckets(service, symptom, old_day + 10 * HOUR, 180)
    recent_first = NOW.replace(minute=0, second=0) - 3 * HOUR
    recent = minute_buckets(service, symptom, recent_first, 180, seed=6)
    report = Report.objects.create(
        service=service,
        symptom=symptom,
        reporter="r",
        counted=True,
        source="api",
        created_at=old_day + HOUR,
    )
    partitions.ensure(partitions.REPORTS, old_day.date())
    # The rows' deferred foreign-key checks, due at a commit this test's
    # transaction never makes, would hold their partitions.
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")

    # Not rolled up yet: the minutes are kept, whatever their age.
    with time_machine.travel(NOW, tick=False):
        done = partitions.maintain()
    assert "outages_bucket_p20261025" not in done.dropped
    assert "reports_report_p20261025" in done.dropped
    assert not Report.objects.filter(pk=report.pk).exists()

    with time_machine.travel(NOW, tick=False):
        rollups.roll_up()
        done = partitions.maintain()
    assert "outages_bucket_p20261025" in done.dropped
    assert not Bucket.objects.filter(minute__lt=NOW - 20 * DAY).exists()

    # A week at one-hour resolution: from the roll-ups where the minutes are
    # gone, from the minutes of the hour under way.
    with time_machine.travel(NOW, tick=False):
        body = client.get(
            "/api/v1/services/tiktok/series",
            {
                "resolution": "1h",
                "start": (old_day - DAY).isoformat(),
                "end": NOW.isoformat(),
            },
        ).json()
    by_hour = {datetime.fromisoformat(p["at"]): p["reporters"] for p in body["points"]}
    for i in range(3):
        assert by_hour[old_day + (10 + i) * HOUR] == old[i * 60 : (i + 1) * 60].sum()
        assert by_hour[recent_first + i * HOUR] == recent[i * 60 : (i + 1) * 60].sum()
    assert sum(by_hour.values()) == old.sum() + recent.sum()

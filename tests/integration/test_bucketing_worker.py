import os
import signal

import pytest
from django.db import connection
from django.db.models import Count, Q, Sum

from outages.catalog import lookup
from outages.models import Bucket
from outages.tasks import bucket_new_reports
from reports import intake
from reports.models import Report
from tests.helpers.intake import logged
from tests.helpers.servers import celery_worker, wait_until

pytestmark = pytest.mark.django_db(transaction=True)

REGIONS = ["DE", "US-CA", "FR-75C", None, "JP", "US"]
SYMPTOMS = ["login", "feed", "upload"]


def store_reports(n: int, reporters: int) -> None:
    """n reports from `reporters` people, spread over services and places."""
    items = [
        intake.BatchItem(
            draft=intake.validate(
                ("tiktok", "gmail")[i % 2], SYMPTOMS[i % 3], REGIONS[i % 6], None
            ),
            reporter=f"reporter-{i % reporters}",
            network=f"network-{i % reporters}",
            block=f"block-{i % reporters}",
        )
        for i in range(n)
    ]
    for start in range(0, n, 5000):
        intake.accept_batch(items[start : start + 5000])


def assert_counts_match_the_reports():
    expected = Report.objects.aggregate(
        reports=Count("id"), reporters=Count("id", filter=Q(counted=True))
    )
    worldwide = Bucket.objects.filter(region="").aggregate(
        reports=Sum("reports"), reporters=Sum("reporters")
    )
    assert worldwide == expected
    in_germany = Bucket.objects.filter(region="DE").aggregate(n=Sum("reports"))["n"]
    assert in_germany == Report.objects.filter(country="DE").count()
    in_california = Bucket.objects.filter(region="US-CA").aggregate(n=Sum("reports"))
    assert in_california["n"] == Report.objects.filter(subdivision="US-CA").count()


@pytest.fixture
def live_catalog(transactional_db):
    from outages.catalog import load_catalog

    load_catalog()
    lookup.forget()


def test_a_real_worker_counts_logged_reports_exactly(live_catalog):
    store_reports(612, reporters=51)
    with celery_worker():
        bucket_new_reports.delay()
        wait_until(lambda: logged() == 0, timeout=30)
    assert_counts_match_the_reports()
    # Each of the 51 people reported both services: 102 distinct reporters.
    assert Bucket.objects.filter(region="").aggregate(n=Sum("reporters"))["n"] == 102


def bucketing_query_running() -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE state = 'active' "
            "AND query LIKE 'WITH entries AS%%' "
            "AND pid <> pg_backend_pid()"
        )
        return cursor.fetchone()[0] > 0


def test_a_worker_killed_mid_bucketing_loses_and_doubles_nothing(live_catalog):
    store_reports(150_000, reporters=20_000)
    # One large batch makes the pass long enough to be caught in flight.
    with celery_worker(BUCKETING_BATCH_SIZE="1000000") as worker:
        bucket_new_reports.delay()
        wait_until(bucketing_query_running, timeout=60, interval=0.01)
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait(10)
    # The server notices the dead client and rolls the pass back.
    wait_until(lambda: not bucketing_query_running(), timeout=60)
    assert logged() == 150_000
    assert not Report.objects.exists()
    assert not Bucket.objects.exists()

    with celery_worker():
        bucket_new_reports.delay()
        wait_until(lambda: logged() == 0, timeout=120)
    assert_counts_match_the_reports()

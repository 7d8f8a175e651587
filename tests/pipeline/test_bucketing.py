from datetime import UTC, datetime

import time_machine
from django.contrib.auth.models import User
from rest_framework.authtoken.models import Token

from config import redis
from outages.models import Bucket
from outages.pipeline.bucketing import bucket_new_reports, bucketing_lag, move_batch
from reports import log
from reports.models import IntakeCursor, Report
from tests.helpers.intake import logged
from tests.helpers.outage import person, surge

NOON = datetime(2026, 11, 24, 12, 0, 30, tzinfo=UTC)


def report(client, service="tiktok", symptom="login", region=None, agent="A"):
    body = {"service": service, "symptom": symptom}
    if region:
        body["region"] = region
    response = client.post(
        "/api/v1/reports", body, content_type="application/json", **person(ord(agent))
    )
    assert response.status_code == 201


def counts(**filters):
    return {
        (b.region, b.symptom.slug, b.minute.minute): (b.reports, b.reporters)
        for b in Bucket.objects.filter(**filters).select_related("symptom")
    }


def test_reports_are_counted_per_minute_at_every_level(client, catalog):
    with time_machine.travel(NOON, tick=False):
        report(client, region="US-CA", agent="A")
        report(client, region="US-CA", agent="A")  # a repeat: stored, not counted
        report(client, region="US-TX", agent="B")
    with time_machine.travel(NOON.replace(minute=1), tick=False):
        report(client, region="DE", agent="C")
        assert bucket_new_reports().reports == 4
    assert counts() == {
        ("US-CA", "login", 0): (2, 1),
        ("US-TX", "login", 0): (1, 1),
        ("US", "login", 0): (3, 2),
        ("", "login", 0): (3, 2),
        ("DE", "login", 1): (1, 1),
        ("", "login", 1): (1, 1),
    }
    assert logged() == 0
    assert Report.objects.count() == 4


def test_bucketing_again_adds_nothing(client, catalog):
    report(client, region="DE")
    bucket_new_reports()
    before = counts()
    assert bucket_new_reports().reports == 0
    assert counts() == before


def test_new_reports_add_to_existing_buckets(client, catalog):
    with time_machine.travel(NOON, tick=False):
        report(client, region="DE", agent="A")
        bucket_new_reports()
        report(client, region="DE", agent="B")
        bucket_new_reports(limit=1)
    assert counts(region="DE") == {("DE", "login", 0): (2, 2)}


def test_a_small_batch_size_still_empties_the_queue(client, catalog):
    for agent in "ABCDE":
        report(client, region="DE", agent=agent)
    assert bucket_new_reports(limit=2).reports == 5
    assert counts(region="")[("", "login", bucketing_minute())][1] == 5


def bucketing_minute():
    return Bucket.objects.get(region="").minute.minute


def test_the_lag_is_the_age_of_the_oldest_uncounted_report(client, catalog):
    with time_machine.travel(NOON, tick=False):
        report(client)
    with time_machine.travel(NOON.replace(second=42), tick=False):
        assert bucketing_lag().total_seconds() == 12
        bucket_new_reports()
        assert bucketing_lag().total_seconds() == 0


def test_a_pass_that_dies_between_its_commit_and_the_trim_counts_nothing_twice(
    client, catalog
):
    for agent in "ABC":
        report(client, region="DE", agent=agent)
    assert move_batch(100, trim=False).reports == 3
    assert logged() == 3  # committed, but still in the log
    before = counts()
    assert bucket_new_reports().reports == 0
    assert counts() == before
    assert logged() == 0  # the next pass trimmed what the first had moved
    assert Report.objects.count() == 3


def test_entries_are_stored_once_even_if_the_cursor_were_set_back(client, catalog):
    report(client, region="DE")
    move_batch(100, trim=False)
    before = counts()
    IntakeCursor.objects.update(last_id="0-0")
    assert bucket_new_reports().reports == 0
    assert counts() == before
    assert Report.objects.count() == 1


def test_bucketing_moves_in_log_order_across_batches(client, catalog):
    ids = []
    for agent in "ABCDEFG":
        response = client.post(
            "/api/v1/reports",
            {"service": "tiktok", "symptom": "login"},
            content_type="application/json",
            **person(ord(agent)),
        )
        ids.append(response.json()["id"])
    while move_batch(3).reports:
        pass
    assert (
        list(Report.objects.order_by("id").values_list("intake_id", flat=True)) == ids
    )
    assert IntakeCursor.objects.get().last_id == ids[-1]


def batch_of(client, size, region="DE"):
    user, _ = User.objects.get_or_create(username="integrator")
    token, _ = Token.objects.get_or_create(user=user)
    item = {"service": "tiktok", "symptom": "login", "region": region}
    response = client.post(
        "/api/v1/reports/batch",
        {"reports": [item] * size},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Token {token.key}",
    )
    assert response.status_code == 200
    return [item["id"] for item in response.json()["results"]]


def test_a_pass_takes_whole_batches_about_its_limit_in_reports(client, catalog):
    report(client, region="DE", agent="A")
    ids = batch_of(client, 4) + batch_of(client, 4)
    report(client, region="DE", agent="B")
    # The single report and the first batch reach the limit of 3.
    assert move_batch(3).reports == 5
    assert logged() == 5
    assert move_batch(100).reports == 5
    assert logged() == 0
    assert set(ids) <= set(Report.objects.values_list("intake_id", flat=True))
    assert counts(region="")[("", "login", bucketing_minute())][0] == 10


def waiting() -> int:
    """The count the backlog bound reads, as Redis holds it."""
    return int(redis.client().get(log.WAITING) or 0)


def test_a_batch_left_by_a_pass_that_died_after_its_commit_is_trimmed_once(
    client, catalog, monkeypatch
):
    monkeypatch.setattr(log, "RECOUNT_BELOW", 0)  # the count as kept, unmended
    batch_of(client, 3)
    assert move_batch(100, trim=False).reports == 3
    first_end = IntakeCursor.objects.get().last_id
    batch_of(client, 2)
    assert waiting() == 5  # moved but not trimmed, and the new batch
    # The next pass trims the leftovers first, counting them off.
    assert move_batch(1).reports == 2
    assert waiting() == 0
    batch_of(client, 4)
    # The first pass's trim, late: its entries are gone, nothing is counted
    # off twice while newer reports wait.
    assert log.trim(first_end, 3) == 0
    assert waiting() == 4
    assert bucket_new_reports().reports == 4
    assert waiting() == 0
    assert Report.objects.count() == 9


def test_a_short_log_is_counted_afresh_after_a_drift(client, catalog):
    surge(client, 5, start=100)
    batch_of(client, 3)
    redis.client().set(log.WAITING, 500)  # as an older process might leave it
    assert move_batch(2).reports == 2
    assert waiting() == 6  # three single reports and the batch of three


def test_a_pass_reads_the_log_in_pages_and_stops_at_its_limit(client, catalog):
    surge(client, 40, start=200)
    batch_of(client, 30)
    assert move_batch(35).reports == 35  # more than one page of entries
    assert waiting() == 35
    # The last five single reports reach the limit; the batch moves whole.
    assert move_batch(6).reports == 35
    assert waiting() == 0 and Report.objects.count() == 70

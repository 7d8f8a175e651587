"""Incident steps from real detection cycles becoming deliveries."""

from unittest import mock

import pytest
import time_machine
from django.contrib.auth.models import User

from outages.alerts import events, sending, subscriptions
from outages.alerts.models import Delivery
from outages.models import Incident, Service
from outages.pipeline.bucketing import bucket_new_reports
from outages.pipeline.cycle import detect_new_minutes
from outages.pipeline.false_alarms import mark_false_alarm
from tests.helpers.outage import MINUTE, NOW, surge


@pytest.fixture(autouse=True)
def queued():
    with mock.patch("outages.alerts.tasks.deliver.delay") as delay:
        yield delay


@pytest.fixture
def subscribe(db):
    owner = User.objects.create_user("owner")

    def make(**fields):
        return subscriptions.subscribe(
            owner, url="https://hooks.example.com/x", **fields
        )

    return make


def test_an_outage_in_germany_reaches_the_webhooks_that_care(
    client, tiktok_with_history, cycle_at, subscribe, queued, settings
):
    settings.SITE_URL = "https://radar.example.org"
    tiktok = tiktok_with_history
    caring = [
        subscribe(service=tiktok, region="DE"),
        subscribe(),
        subscribe(region="DE-BY"),  # lies within the place affected
        subscribe(service=tiktok, min_level="possible"),
    ]
    others = [
        subscribe(service=tiktok, region="FR"),
        subscribe(service=Service.objects.get(slug="instagram")),
        subscribe(active=False),
    ]
    with time_machine.travel(NOW, tick=False):
        surge(client, 40, region="DE", symptom="login")
    cycle_at(NOW + MINUTE)
    cycle_at(NOW + 2 * MINUTE)
    incident = Incident.objects.get()

    opened = Delivery.objects.filter(event_type="incident.opened")
    assert {d.webhook for d in opened} == set(caring)
    assert not Delivery.objects.filter(webhook__in=others).exists()
    assert sorted(c.args[0] for c in queued.call_args_list) == sorted(
        d.pk for d in opened
    )
    event = opened.first().payload
    assert event["type"] == "incident.opened"
    data = event["data"]["incident"]
    assert (data["id"], data["service"]["slug"], data["level"]) == (
        incident.pk,
        "tiktok",
        "outage",
    )
    assert "DE" in {p["region"] for p in data["places"]}
    assert data["observed"] > data["expected"]
    assert data["top_symptoms"][0] == {"symptom": "login", "share": 100.0}
    assert data["url"] == f"https://radar.example.org/incidents/{incident.pk}/"
    assert (
        data["api_url"] == f"https://radar.example.org/api/v1/incidents/{incident.pk}"
    )

    for minutes in range(3, 30):
        cycle_at(NOW + minutes * MINUTE)
    incident.refresh_from_db()
    assert incident.state == Incident.State.RESOLVED
    for webhook in caring:
        kinds = list(
            webhook.deliveries.order_by("pk").values_list("event_type", flat=True)
        )
        assert kinds[0] == "incident.opened" and kinds[-1] == "incident.resolved"
        assert kinds.count("incident.resolved") == 1
    resolved = Delivery.objects.filter(event_type="incident.resolved").first()
    assert resolved.payload["data"]["incident"]["resolved_at"] is not None


def test_emitting_a_step_again_sends_nothing_twice(
    client, tiktok_with_history, cycle_at, subscribe
):
    subscribe()
    with time_machine.travel(NOW, tick=False):
        surge(client, 40, region="DE", symptom="login")
    cycle_at(NOW + MINUTE)
    cycle_at(NOW + 2 * MINUTE)
    before = Delivery.objects.count()
    step = Incident.objects.get().updates.get(kind="opened")
    assert before >= 1
    assert events.emit(step) == []
    assert Delivery.objects.count() == before


@pytest.mark.parametrize(
    ("region", "place", "overlap"),
    [
        ("", "DE", True),
        ("DE", "", True),
        ("DE", "DE", True),
        ("DE", "DE-BY", True),
        ("US-CA", "US", True),
        ("US-CA", "US-TX", False),
        ("DE", "DK", False),
        ("US", "USA", False),
    ],
)
def test_a_place_matches_a_region_it_lies_in_or_contains(region, place, overlap):
    assert events._overlap(region, place) is overlap


def test_a_false_alarm_tells_the_subscribers_it_is_over(
    client,
    tiktok_with_history,
    cycle_at,
    subscribe,
    queued,
    django_capture_on_commit_callbacks,
):
    webhook = subscribe(service=tiktok_with_history)
    with time_machine.travel(NOW, tick=False):
        surge(client, 40, region="DE", symptom="login")
    cycle_at(NOW + MINUTE)
    cycle_at(NOW + 2 * MINUTE)
    incident = Incident.objects.get()
    with (
        time_machine.travel(NOW + 3 * MINUTE, tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        mark_false_alarm(incident, note="A test campaign.")

    resolved = Delivery.objects.get(webhook=webhook, event_type="incident.resolved")
    told = resolved.payload["data"]["incident"]
    assert told["state"] == "resolved" and told["false_alarm"] is True
    assert told["note"] == "A test campaign."
    assert [d.event_type for d in Delivery.objects.order_by("id")] == [
        "incident.opened",
        "incident.resolved",
    ]


def test_a_worker_dying_after_the_cycle_commits_loses_no_event(
    client, tiktok_with_history, subscribe, queued
):
    webhook = subscribe(service=tiktok_with_history)
    with time_machine.travel(NOW, tick=False):
        surge(client, 40, region="DE", symptom="login")
    # The cycles commit, and the worker dies each time before anything runs
    # after the commit: nothing is queued.
    for minutes in (1, 2):
        with time_machine.travel(NOW + minutes * MINUTE, tick=False):
            bucket_new_reports()
            detect_new_minutes()
    assert Incident.objects.filter(state="ongoing").exists()
    queued.assert_not_called()

    (delivery,) = Delivery.objects.filter(webhook=webhook)
    assert delivery.event_type == "incident.opened"
    assert delivery.status == Delivery.Status.PENDING
    # So the sweep finds it and sends it.
    assert sending.due(NOW + 5 * MINUTE) == [delivery.pk]


def test_possible_problems_reach_the_webhooks_that_asked_for_them_once(
    client, tiktok_with_history, cycle_at, subscribe, queued, settings
):
    settings.SITE_URL = "https://radar.example.org"
    tiktok = tiktok_with_history
    asked = [
        subscribe(service=tiktok, min_level="possible"),
        subscribe(min_level="possible"),
        subscribe(region="DE-BY", min_level="possible"),
    ]
    others = [
        subscribe(service=tiktok),  # outages only
        subscribe(region="FR", min_level="possible"),
    ]
    # A dozen people a minute in Germany, where one is normal: suspected,
    # not yet an incident.
    for minute in range(3):
        with time_machine.travel(NOW + minute * MINUTE, tick=False):
            surge(client, 12, region="DE", start=12 * minute)
        cycle_at(NOW + (minute + 1) * MINUTE)
    assert not Incident.objects.exists()

    told = Delivery.objects.filter(event_type="service.possible")
    assert sorted(d.webhook_id for d in told) == sorted(w.pk for w in asked)
    assert not Delivery.objects.filter(webhook__in=others).exists()
    assert {d.pk for d in told} <= {c.args[0] for c in queued.call_args_list}
    event = told.first().payload
    assert event["type"] == "service.possible"
    assert event["timestamp"] == "2026-11-24T12:01:00Z"
    data = event["data"]
    assert (data["service"]["slug"], data["level"]) == ("tiktok", "possible")
    (germany,) = [p for p in data["places"] if p["region"] == "DE"]
    assert germany["observed"] > germany["expected"]
    assert data["url"] == "https://radar.example.org/s/tiktok/"
    assert data["api_url"] == "https://radar.example.org/api/v1/services/tiktok/status"


def test_a_suspicion_that_comes_and_goes_is_told_once_an_hour(
    tiktok_with_history, subscribe
):
    webhook = subscribe(min_level="possible")
    places = {tiktok_with_history.id: [{"region": "DE", "observed": 9, "expected": 1}]}
    moments = [NOW, NOW + 10 * MINUTE, NOW + 59 * MINUTE, NOW + 61 * MINUTE]
    made = []
    for moment in moments:
        with time_machine.travel(moment, tick=False):
            made.append(len(events.possible_problems(places, moment)))
    assert made == [1, 0, 0, 1]
    assert webhook.deliveries.count() == 2

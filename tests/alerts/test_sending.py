"""Delivery attempts against a real receiver on 127.0.0.1."""

import base64
import hashlib
import hmac
from datetime import timedelta
from unittest import mock

import pytest
import time_machine
from django.contrib.auth.models import User

from outages.alerts import events, sending, subscriptions
from outages.alerts.models import Webhook
from outages.models import Incident, Service
from tests.helpers.outage import NOW
from tests.helpers.receiver import receiver

SECOND = timedelta(seconds=1)


@pytest.fixture(autouse=True)
def private_allowed(settings):
    settings.WEBHOOK_ALLOW_PRIVATE = True
    settings.WEBHOOK_RETRY_SECONDS = [30, 120]
    with mock.patch("outages.alerts.tasks.deliver.delay"):
        yield


def webhook_to(url: str) -> Webhook:
    owner, _ = User.objects.get_or_create(username="owner")
    return subscriptions.subscribe(owner, url=url)


def verified(secret: str, request) -> bool:
    key = base64.b64decode(secret.removeprefix("whsec_"))
    headers = {k.lower(): v for k, v in request.headers.items()}
    signed = f"{headers['webhook-id']}.{headers['webhook-timestamp']}.".encode()
    mac = hmac.new(key, signed + request.body, hashlib.sha256).digest()
    return headers["webhook-signature"] == "v1," + base64.b64encode(mac).decode()


@time_machine.travel(NOW, tick=False)
def test_a_failed_attempt_is_retried_later_with_the_same_id(db):
    with receiver(500) as hook:
        webhook = webhook_to(hook.url)
        delivery = events.send_test(webhook)
        assert sending.attempt(delivery.pk) == [(delivery.pk, 30)]
        delivery.refresh_from_db()
        assert (delivery.status, delivery.attempts) == ("pending", 1)
        assert (delivery.response_code, delivery.error) == (
            500,
            "HTTP 500 Internal Server Error",
        )
        assert delivery.next_attempt_at == NOW + 30 * SECOND
        webhook.refresh_from_db()
        assert webhook.failing_since == NOW

        # Not due yet: a second message for it does nothing.
        assert sending.attempt(delivery.pk, now=NOW + 10 * SECOND) == []
        assert sending.attempt(delivery.pk, now=NOW + 30 * SECOND) == []
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("delivered", 2)
    assert (delivery.response_code, delivery.error) == (200, "")
    webhook.refresh_from_db()
    assert webhook.failing_since is None
    ids = [r.headers["webhook-id"] for r in hook.received]
    assert ids == [delivery.event_id, delivery.event_id]
    assert all(verified(webhook.secret, r) for r in hook.received)
    assert hook.received[0].event["type"] == "webhook.test"


@time_machine.travel(NOW, tick=False)
def test_a_delivery_is_given_up_after_the_last_retry(db):
    with receiver(500, 503, 502) as hook:
        delivery = events.send_test(webhook_to(hook.url))
        sending.attempt(delivery.pk)
        sending.attempt(delivery.pk, now=NOW + 30 * SECOND)
        assert sending.attempt(delivery.pk, now=NOW + 150 * SECOND) == []
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("failed", 3)
    assert delivery.error == "HTTP 502 Bad Gateway"
    assert len(hook.received) == 3


@time_machine.travel(NOW, tick=False)
def test_a_webhook_failing_for_over_a_day_is_disabled(db):
    with receiver(500) as hook:
        webhook = webhook_to(hook.url)
        Webhook.objects.filter(pk=webhook.pk).update(
            failing_since=NOW - timedelta(hours=25)
        )
        delivery, other = events.send_test(webhook), events.send_test(webhook)
        assert sending.attempt(delivery.pk) == []
    webhook.refresh_from_db()
    assert not webhook.active
    assert webhook.disabled_reason == (
        "Deliveries failed for over a day; the last: HTTP 500 Internal Server Error"
    )
    delivery.refresh_from_db()
    other.refresh_from_db()
    assert (delivery.status, other.status) == ("failed", "failed")
    assert other.error == "The webhook was disabled."


@time_machine.travel(NOW, tick=False)
def test_a_network_error_is_a_failed_attempt(db):
    with receiver() as hook:
        url = hook.url
    delivery = events.send_test(webhook_to(url))  # nobody listens any more
    assert sending.attempt(delivery.pk) == [(delivery.pk, 30)]
    delivery.refresh_from_db()
    assert delivery.response_code is None
    assert "ConnectionRefusedError" in delivery.error


@time_machine.travel(NOW, tick=False)
def test_a_private_destination_is_refused_at_delivery_time_too(db, settings):
    with receiver() as hook:
        delivery = events.send_test(webhook_to(hook.url))
        settings.WEBHOOK_ALLOW_PRIVATE = False
        sending.attempt(delivery.pk)
    delivery.refresh_from_db()
    assert delivery.error == "The URL must start with https://."
    assert hook.received == []


@time_machine.travel(NOW, tick=False)
def test_deliveries_of_one_incident_go_out_in_order(catalog):
    tiktok = Service.objects.get(slug="tiktok")
    incident = Incident.objects.create(
        service=tiktok,
        state="ongoing",
        scope="regional",
        opened_at=NOW,
        observed=60,
        expected=6,
        p_value=1e-9,
        peak_at=NOW,
        peak_observed=60,
        peak_expected=6,
        regions=[{"region": "DE", "observed": 60, "expected": 6}],
        updated_at=NOW,
    )
    opened = incident.updates.create(
        kind="opened", at=NOW, observed=60, expected=6, p_value=1e-9, regions=[]
    )
    resolved = incident.updates.create(
        kind="resolved", at=NOW, observed=0, expected=6, p_value=1, regions=[]
    )
    with receiver(500) as hook:
        webhook = webhook_to(hook.url)
        [first] = events.emit(opened)
        [second] = events.emit(resolved)
        assert sending.attempt(first.pk) == [(first.pk, 30)]
        # The resolution waits for the opening's retry.
        assert sending.attempt(second.pk) == []
        second.refresh_from_db()
        assert (second.attempts, second.next_attempt_at) == (0, NOW + 30 * SECOND)
        assert sending.attempt(first.pk, now=NOW + 30 * SECOND) == [(second.pk, 0)]
        assert sending.attempt(second.pk, now=NOW + 30 * SECOND) == []
    kinds = [r.event["type"] for r in hook.received]
    assert kinds == ["incident.opened", "incident.opened", "incident.resolved"]
    assert webhook.deliveries.filter(status="delivered").count() == 2


@time_machine.travel(NOW, tick=False)
def test_the_sweep_finds_deliveries_whose_message_was_lost(db):
    delivery = events.send_test(webhook_to("http://127.0.0.1:9/hook"))
    assert sending.due() == []
    assert sending.due(NOW + 2 * timedelta(minutes=1)) == [delivery.pk]


@time_machine.travel(NOW, tick=False)
def test_a_webhook_deleted_while_its_delivery_is_sent_ends_it_quietly(db, monkeypatch):
    real_send = sending.send

    def send_while_its_owner_deletes_it(webhook, delivery):
        outcome = real_send(webhook, delivery)
        Webhook.objects.filter(pk=webhook.pk).delete()
        return outcome

    monkeypatch.setattr(sending, "send", send_while_its_owner_deletes_it)
    for answer in (500, 200):
        with receiver(answer) as hook:
            delivery = events.send_test(webhook_to(hook.url))
            assert sending.attempt(delivery.pk) == []
        assert len(hook.received) == 1
    assert not Webhook.objects.exists()

"""Incident events delivered by a real worker to a receiver on 127.0.0.1.

Detection runs in the test process at pinned times; the worker, on the real
clock, makes the deliveries and their retries.
"""

import base64
import hashlib
import hmac

import pytest
import time_machine
from django.contrib.auth.models import User

from outages.alerts import subscriptions
from outages.alerts.models import Delivery
from outages.models import Incident
from tests.helpers.outage import MINUTE, NOW, surge
from tests.helpers.receiver import receiver
from tests.helpers.servers import celery_worker, wait_until

pytestmark = pytest.mark.django_db(transaction=True)


def verified(secret: str, request) -> bool:
    """The receiver's check, as docs/api.md shows it."""
    key = base64.b64decode(secret.removeprefix("whsec_"))
    headers = {k.lower(): v for k, v in request.headers.items()}
    signed = f"{headers['webhook-id']}.{headers['webhook-timestamp']}.".encode()
    mac = hmac.new(key, signed + request.body, hashlib.sha256).digest()
    return hmac.compare_digest(
        headers["webhook-signature"], "v1," + base64.b64encode(mac).decode()
    )


def test_the_worker_delivers_an_incident_opening_after_a_retry_and_its_end(
    client, tiktok_with_history, cycle_at
):
    with (
        receiver(500) as hook,
        celery_worker(WEBHOOK_ALLOW_PRIVATE="1", WEBHOOK_RETRY_SECONDS="1"),
    ):
        owner = User.objects.create_user("operator")
        webhook = subscriptions.subscribe(
            owner, url=hook.url, service=tiktok_with_history, region="DE"
        )
        with time_machine.travel(NOW, tick=False):
            surge(client, 40, region="DE", symptom="login")
        cycle_at(NOW + MINUTE)
        cycle_at(NOW + 2 * MINUTE)
        incident = Incident.objects.get()

        wait_until(lambda: len(hook.received) >= 2, timeout=30)
        first, second = hook.received[:2]
        assert first.event["type"] == second.event["type"] == "incident.opened"
        assert first.headers["webhook-id"] == second.headers["webhook-id"]
        assert first.event["data"]["incident"]["id"] == incident.pk
        opened = Delivery.objects.get(event_type="incident.opened")
        assert (opened.status, opened.attempts) == ("delivered", 2)
        assert opened.response_code == 200

        for minutes in range(3, 30):
            cycle_at(NOW + minutes * MINUTE)
        incident.refresh_from_db()
        assert incident.state == Incident.State.RESOLVED
        wait_until(
            lambda: hook.received[-1].event["type"] == "incident.resolved", timeout=30
        )

    assert all(verified(webhook.secret, r) for r in hook.received)
    ids = list(dict.fromkeys(r.headers["webhook-id"] for r in hook.received))
    kinds = [
        next(r.event["type"] for r in hook.received if r.headers["webhook-id"] == i)
        for i in ids
    ]
    assert kinds[0] == "incident.opened" and kinds[-1] == "incident.resolved"
    assert kinds.count("incident.resolved") == 1
    assert not Delivery.objects.exclude(status="delivered").exists()

"""One attempt at a delivery: sign, POST, record what happened, plan the next.

An attempt is claimed with a conditional UPDATE (pending and due), which
also sets a lease on it: a task that runs twice (acks late, or a message
Redis hands out again after its visibility timeout) finds nothing to claim
and stops. A 2xx is success; any other status, a refused destination or a
network error is a failed attempt, retried after WEBHOOK_RETRY_SECONDS[n]
and given up after the last. A webhook failing for over a day is disabled.
Deliveries of one incident to one webhook go out in the order they were
made: a later one waits until the one before it is done.
"""

import http.client
import json
import socket
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone

from outages.alerts import attempts, destinations, signing
from outages.alerts.models import Delivery, Webhook

DISABLE_AFTER = timedelta(days=1)
# How much of an answer is read: enough to end the exchange cleanly.
MAX_ANSWER_BYTES = 64 * 1024


@dataclass(frozen=True)
class Outcome:
    status: int | None  # the HTTP status; None when none came back
    error: str = ""

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


def lease() -> timedelta:
    """Long enough for one attempt to finish before another may claim it."""
    return timedelta(seconds=2 * settings.WEBHOOK_TIMEOUT_SECONDS + 30)


def attempt(delivery_id: int, now: datetime | None = None) -> list[tuple[int, float]]:
    """Try `delivery_id` once if it is due; the deliveries to try next, each
    with the seconds to wait."""
    now = now or timezone.now()
    if not attempts.claim(Delivery, delivery_id, now, lease()):
        return []
    delivery = Delivery.objects.select_related("webhook").get(pk=delivery_id)
    webhook = delivery.webhook
    if not webhook.active:
        _finish(delivery, Delivery.Status.FAILED, now, "The webhook is disabled.")
        return _next_in_line(delivery, now)
    before = _waiting_for(delivery)
    if before is not None:
        # Its turn comes when the one before is done (or the sweep finds it).
        delivery.next_attempt_at = max(before.next_attempt_at, now)
        delivery.save(update_fields=["next_attempt_at"])
        return []

    outcome = send(webhook, delivery)
    if not Delivery.objects.filter(pk=delivery.pk).exists():
        return []  # deleted with its webhook while it was being sent
    delivery.attempts += 1
    delivery.response_code = outcome.status
    if outcome.ok:
        _finish(delivery, Delivery.Status.DELIVERED, now)
        Webhook.objects.filter(pk=webhook.pk).update(failing_since=None)
        return _next_in_line(delivery, now)
    delivery.error = outcome.error[:500]
    if _disable_if_failing(webhook, now, outcome.error):
        _finish(delivery, Delivery.Status.FAILED, now, outcome.error)
        return []
    wait = attempts.retry_wait(delivery.attempts, settings.WEBHOOK_RETRY_SECONDS)
    if wait is None:
        _finish(delivery, Delivery.Status.FAILED, now, outcome.error)
        return _next_in_line(delivery, now)
    delivery.next_attempt_at = now + timedelta(seconds=wait)
    delivery.save(
        update_fields=["attempts", "response_code", "error", "next_attempt_at"]
    )
    return [(delivery.pk, wait)]


def send(webhook: Webhook, delivery: Delivery) -> Outcome:
    """POST the delivery's event, signed, to the webhook's checked address."""
    body = json.dumps(delivery.payload, separators=(",", ":")).encode()
    headers = {
        "Content-Type": "application/json",
        "User-Agent": f"{settings.SITE_NAME} webhooks",
        **signing.headers(
            webhook.secret, delivery.event_id, int(timezone.now().timestamp()), body
        ),
    }
    try:
        target = destinations.check(webhook.url)
    except destinations.Refused as exc:
        return Outcome(None, str(exc))
    parts = urlsplit(webhook.url)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    kind = (
        http.client.HTTPSConnection
        if target.scheme == "https"
        else http.client.HTTPConnection
    )
    connection = kind(
        target.host, target.port, timeout=settings.WEBHOOK_TIMEOUT_SECONDS
    )
    # Connect to the address that was checked; TLS still verifies the name.
    connection._create_connection = lambda address, *args: socket.create_connection(
        (target.address, target.port), *args
    )
    try:
        connection.request("POST", path, body=body, headers=headers)
        answer = connection.getresponse()
        answer.read(MAX_ANSWER_BYTES)
    except (OSError, http.client.HTTPException) as exc:
        return Outcome(None, f"{type(exc).__name__}: {exc}")
    finally:
        connection.close()
    if 200 <= answer.status < 300:
        return Outcome(answer.status)
    return Outcome(answer.status, f"HTTP {answer.status} {answer.reason}".strip())


def _finish(delivery: Delivery, status: str, now: datetime, error: str = "") -> None:
    delivery.status = status
    delivery.next_attempt_at = None
    if status == Delivery.Status.DELIVERED:
        delivery.delivered_at = now
        delivery.error = ""
    else:
        delivery.error = error[:500]
    delivery.save(
        update_fields=[
            "status",
            "attempts",
            "response_code",
            "error",
            "next_attempt_at",
            "delivered_at",
        ]
    )


def _line_of(delivery: Delivery) -> QuerySet[Delivery]:
    """The pending deliveries of the same incident to the same webhook, in
    the order they were made."""
    if delivery.incident_id is None:
        # A test or a possible-problems event stands in no line.
        return Delivery.objects.none()
    return Delivery.objects.filter(
        webhook_id=delivery.webhook_id,
        incident_id=delivery.incident_id,
        status=Delivery.Status.PENDING,
    ).order_by("pk")


def _waiting_for(delivery: Delivery) -> Delivery | None:
    """The delivery before this one in its line, if any."""
    return _line_of(delivery).filter(pk__lt=delivery.pk).first()


def _next_in_line(delivery: Delivery, now: datetime) -> list[tuple[int, float]]:
    """The delivery that waited for this one, made due now."""
    following = _line_of(delivery).filter(pk__gt=delivery.pk).first()
    if following is None:
        return []
    Delivery.objects.filter(pk=following.pk).update(next_attempt_at=now)
    return [(following.pk, 0)]


def _disable_if_failing(webhook: Webhook, now: datetime, error: str) -> bool:
    """Note the failure; disable the webhook once failures span a day."""
    Webhook.objects.filter(pk=webhook.pk, failing_since__isnull=True).update(
        failing_since=now
    )
    # None as well if the webhook was deleted meanwhile: nothing to disable.
    since = (
        Webhook.objects.filter(pk=webhook.pk)
        .values_list("failing_since", flat=True)
        .first()
    )
    if since is None or now - since <= DISABLE_AFTER:
        return False
    reason = f"Deliveries failed for over a day; the last: {error}"[:300]
    disabled = Webhook.objects.filter(pk=webhook.pk, active=True).update(
        active=False, disabled_reason=reason
    )
    if disabled:
        Delivery.objects.filter(webhook=webhook, status=Delivery.Status.PENDING).update(
            status=Delivery.Status.FAILED,
            next_attempt_at=None,
            error="The webhook was disabled.",
        )
    return True


def due(now: datetime | None = None) -> list[int]:
    """The deliveries whose queued task was lost, to queue again."""
    return attempts.due(Delivery, now or timezone.now())

"""One attempt at an email: claim it, mind the window, send, record.

An attempt is claimed with a conditional UPDATE (pending and due) that also
sets a lease, as webhook deliveries are (attempts.py): a task that runs twice
finds nothing to claim. An incident message also claims its subscription's
window, a conditional UPDATE of `last_sent_at`: at most one incident message
per subscription per ALERT_EMAIL_WINDOW_MINUTES, however the incident flaps.
A message that finds the window taken waits for its end, and then only the
newest of the messages waiting is sent: it tells where things stand, the
ones before it are superseded. A confirmation is never held back.

An SMTP error (or a server not answering) is a failed attempt, retried after
ALERT_EMAIL_RETRY_SECONDS[n] and given up after the last; the window it had
claimed is handed back, since nothing was sent.
"""

import smtplib
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from outages.alerts import attempts, email_messages
from outages.alerts.models import Email, EmailSubscription

# Longer than one SMTP exchange may take (EMAIL_TIMEOUT per operation).
LEASE = timedelta(minutes=5)


def window() -> timedelta:
    return timedelta(minutes=settings.ALERT_EMAIL_WINDOW_MINUTES)


def attempt(email_id: int, now: datetime | None = None) -> float | None:
    """Try `email_id` once if it is due; the seconds until it should be
    tried again, or None when it is done (or not this call's to try)."""
    now = now or timezone.now()
    if not attempts.claim(Email, email_id, now, LEASE):
        return None
    email = (
        Email.objects.select_related("subscription__service", "step__incident__service")
        .filter(pk=email_id)
        .first()
    )
    if email is None:
        return None  # unsubscribed meanwhile: the row went with its subscription
    subscription = email.subscription
    held_since = None
    if email.kind != Email.Kind.CONFIRM:
        if subscription.confirmed_at is None:
            _finish(email, Email.Status.FAILED, now, "The address is not confirmed.")
            return None
        if _superseded(email):
            _finish(email, Email.Status.SUPERSEDED, now)
            return None
        if not _claim_window(subscription, now):
            return _wait_for_window(email, now)
        held_since = subscription.last_sent_at

    try:
        email_messages.compose(email).send()
    except (smtplib.SMTPException, OSError) as exc:
        if email.kind != Email.Kind.CONFIRM:
            EmailSubscription.objects.filter(
                pk=subscription.pk, last_sent_at=now
            ).update(last_sent_at=held_since)
        return _failed(email, now, f"{type(exc).__name__}: {exc}")
    email.attempts += 1
    _finish(email, Email.Status.SENT, now)
    return None


def _superseded(email: Email) -> bool:
    """Whether a newer incident message to the same subscription is waiting
    or was sent: it tells more recent news."""
    return (
        Email.objects.filter(
            subscription_id=email.subscription_id,
            pk__gt=email.pk,
            status__in=[Email.Status.PENDING, Email.Status.SENT],
        )
        .exclude(kind=Email.Kind.CONFIRM)
        .exists()
    )


def _claim_window(subscription: EmailSubscription, now: datetime) -> bool:
    return bool(
        EmailSubscription.objects.filter(pk=subscription.pk)
        .filter(Q(last_sent_at__isnull=True) | Q(last_sent_at__lte=now - window()))
        .update(last_sent_at=now)
    )


def _wait_for_window(email: Email, now: datetime) -> float:
    last = EmailSubscription.objects.values_list("last_sent_at", flat=True).get(
        pk=email.subscription_id
    )
    email.next_attempt_at = max(last + window(), now)
    email.save(update_fields=["next_attempt_at"])
    return (email.next_attempt_at - now).total_seconds()


def _failed(email: Email, now: datetime, error: str) -> float | None:
    email.attempts += 1
    email.error = error[:500]
    wait = attempts.retry_wait(email.attempts, settings.ALERT_EMAIL_RETRY_SECONDS)
    if wait is None:
        _finish(email, Email.Status.FAILED, now, error)
        return None
    email.next_attempt_at = now + timedelta(seconds=wait)
    email.save(update_fields=["attempts", "error", "next_attempt_at"])
    return float(wait)


def _finish(email: Email, status: str, now: datetime, error: str = "") -> None:
    email.status = status
    email.next_attempt_at = None
    email.error = error[:500]
    if status == Email.Status.SENT:
        email.sent_at = now
    email.save(
        update_fields=["status", "attempts", "error", "next_attempt_at", "sent_at"]
    )


def due(now: datetime | None = None) -> list[int]:
    """The messages whose queued task was lost, to queue again."""
    return attempts.due(Email, now or timezone.now())

"""Email sign-ups: double opt-in, and limits so the form cannot flood anyone.

A sign-up stores a pending subscription and queues its confirmation; nothing
else is sent to the address until its link (email_links.py) is followed. An
unconfirmed subscription is forgotten once its last link has expired.

Two counters in Redis bound what a sign-up can cause: sign-ups per reporter
(the same salted identity report intake uses, so no address is kept) per
hour, and confirmation messages to one address while its links are valid,
counted under a keyed hash of the address. A sign-up for an address that is
already getting the alerts sends nothing, and says nothing different, so the
form does not tell anyone who is subscribed.
"""

import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac

from config import redis
from outages.alerts import email_links, tasks
from outages.alerts.models import Email, EmailSubscription
from outages.models import Service


class TooMany(Exception):
    """Over a sign-up limit; the message says which, for the person."""


class LinkExpired(Exception):
    pass


class LinkUnknown(Exception):
    """A link that was never made here, or whose subscription is gone."""


def sign_up(
    email: str,
    service: Service,
    region: str,
    reporter: str,
    now: datetime | None = None,
) -> EmailSubscription:
    """The subscription for (`email`, `service`, `region`), pending unless it
    was confirmed before; a pending one gets a confirmation queued."""
    now = now or timezone.now()
    if _counted(f"signups:{reporter}", 3600) > settings.ALERT_EMAIL_SIGNUPS_PER_HOUR:
        raise TooMany(
            "You have asked for several email alerts in the last hour. "
            "Please try again in an hour."
        )
    email = normalized(email)
    with transaction.atomic():
        subscription, _ = EmailSubscription.objects.get_or_create(
            email=email,
            service=service,
            region=region,
            defaults={"token": secrets.token_urlsafe(32)},
        )
        if subscription.confirmed_at is not None:
            return subscription
        sent = _counted(f"confirmations:{_address_key(email)}", _link_life())
        if sent > settings.ALERT_EMAIL_CONFIRMATIONS_PER_ADDRESS:
            # Raised inside the transaction: a new subscription is not kept.
            raise TooMany(
                "This address has been sent several confirmation messages in "
                "the last few days. Please look for them (the spam folder "
                "too), or try again in a few days."
            )
        subscription.confirmation_sent_at = now
        subscription.save(update_fields=["confirmation_sent_at"])
        confirmation = Email.objects.create(
            subscription=subscription, kind=Email.Kind.CONFIRM, next_attempt_at=now
        )
        transaction.on_commit(lambda: tasks.send_email.delay(confirmation.pk))
    return subscription


def normalized(email: str) -> str:
    """The address as stored: domains are case-insensitive, local parts are
    the receiving server's business."""
    local, _, domain = email.strip().rpartition("@")
    return f"{local}@{domain.lower()}"


def pending(link: str) -> EmailSubscription:
    """The subscription a confirmation link is for, confirmed or not."""
    try:
        token = email_links.confirmed_token(link)
    except signing.SignatureExpired:
        raise LinkExpired() from None
    except signing.BadSignature:
        raise LinkUnknown() from None
    subscription = by_token(token)
    if subscription is None:
        raise LinkUnknown()
    return subscription


def by_token(token: str) -> EmailSubscription | None:
    """The subscription a link's token is for, with its service; None when
    there is none (never made, or unsubscribed)."""
    return (
        EmailSubscription.objects.filter(token=token).select_related("service").first()
    )


def confirm(link: str, now: datetime | None = None) -> EmailSubscription:
    """Confirm the link's subscription; confirming again changes nothing."""
    subscription = pending(link)
    EmailSubscription.objects.filter(
        pk=subscription.pk, confirmed_at__isnull=True
    ).update(confirmed_at=now or timezone.now())
    subscription.refresh_from_db()
    return subscription


def unsubscribe(token: str) -> bool:
    """Forget the token's subscription and its messages; False if there was
    none (unsubscribed already)."""
    deleted, _ = EmailSubscription.objects.filter(token=token).delete()
    return deleted > 0


def forget_unconfirmed(now: datetime | None = None) -> int:
    """Delete the subscriptions whose last confirmation link has expired."""
    cutoff = (now or timezone.now()) - timedelta(days=settings.ALERT_EMAIL_CONFIRM_DAYS)
    _, by_model = EmailSubscription.objects.filter(
        confirmed_at__isnull=True, confirmation_sent_at__lt=cutoff
    ).delete()
    return by_model.get(EmailSubscription._meta.label, 0)


def _link_life() -> int:
    return settings.ALERT_EMAIL_CONFIRM_DAYS * 86400


def _address_key(email: str) -> str:
    # Redis never holds the address itself.
    return salted_hmac("outages.alerts.address", email.lower()).hexdigest()[:32]


def _counted(name: str, seconds: int) -> int:
    """Add one to a counter that starts its `seconds` when first counted."""
    key = f"radar:email:{name}"
    with redis.client().pipeline() as pipe:
        pipe.set(key, 0, ex=seconds, nx=True)
        pipe.incr(key)
        _, count = pipe.execute()
    return count

"""The links in alert emails, absolute from SITE_URL.

A confirmation link carries the subscription's token signed with the time it
was made, so it expires after ALERT_EMAIL_CONFIRM_DAYS with nothing stored
per link; an unsubscribe link carries the token itself and never expires.
"""

from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.urls import reverse

from outages.alerts.models import EmailSubscription

SALT = "outages.alerts.confirm"


def confirm_url(subscription: EmailSubscription) -> str:
    link = signing.TimestampSigner(salt=SALT).sign(subscription.token)
    return settings.SITE_URL + reverse("outages:email-confirm", args=[link])


def confirmed_token(link: str) -> str:
    """The token a confirmation link was made for; signing.SignatureExpired
    or signing.BadSignature if it is not (or no longer) good."""
    return signing.TimestampSigner(salt=SALT).unsign(
        link, max_age=timedelta(days=settings.ALERT_EMAIL_CONFIRM_DAYS)
    )


def unsubscribe_url(subscription: EmailSubscription) -> str:
    path = reverse("outages:email-unsubscribe", args=[subscription.token])
    return settings.SITE_URL + path

"""What each email says, and the headers every one of them carries.

Every message has an unsubscribe link in its body and the RFC 8058 headers
that let a mail client unsubscribe with one POST; a confirmation has them
too, so an address signed up by someone else can be forgotten at once.
Links are absolute, from SITE_URL. The Message-ID is the row's, so a retry
after a server took a message but failed to say so reads as the same one.
"""

from urllib.parse import urlsplit

from django.conf import settings
from django.core import mail
from django.template.loader import render_to_string

from outages.alerts import email_links, steps
from outages.alerts.models import Email, EmailSubscription
from outages.catalog import lookup


def compose(email: Email) -> mail.EmailMessage:
    subscription = email.subscription
    if email.kind == Email.Kind.CONFIRM:
        subject, body = _confirmation(subscription)
    else:
        subject, body = _incident(email)
    unsubscribe = email_links.unsubscribe_url(subscription)
    return mail.EmailMessage(
        subject=subject,
        body=body,
        to=[subscription.email],
        headers={
            "Message-ID": f"<alert-{email.pk}@{_domain()}>",
            "List-Unsubscribe": f"<{unsubscribe}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            # No out-of-office answers to an automatic message (RFC 3834).
            "Auto-Submitted": "auto-generated",
        },
    )


def _confirmation(subscription: EmailSubscription) -> tuple[str, str]:
    context = {
        **_common(subscription),
        "confirm_url": email_links.confirm_url(subscription),
        "days": settings.ALERT_EMAIL_CONFIRM_DAYS,
    }
    body = render_to_string("alerts/email/confirm.txt", context)
    return f"Confirm email alerts for {subscription.service.name}", body


def _incident(email: Email) -> tuple[str, str]:
    step = email.step
    incident = step.incident
    service = incident.service
    codes = steps.places_of(step)
    if "" in codes or not codes:
        where = "worldwide"
    else:
        where = "in " + ", ".join(lookup.region_name(code) for code in codes)
    if email.kind == Email.Kind.RESOLVED:
        subject = f"{service.name}: the problems are over"
        if incident.false_alarm:
            subject = f"{service.name}: a false alarm, no outage"
    elif email.kind == Email.Kind.UPDATED:
        subject = f"{service.name}: problems now {where}"
    else:
        subject = f"{service.name}: problems detected {where}"
    context = {
        **_common(email.subscription),
        "kind": email.kind,
        "incident": incident,
        "step": step,
        "where": where,
        "incident_url": settings.SITE_URL + incident.get_absolute_url(),
    }
    return subject, render_to_string("alerts/email/incident.txt", context)


def _common(subscription: EmailSubscription) -> dict:
    region = subscription.region
    return {
        "service": subscription.service,
        "region_name": lookup.region_name(region) if region else "",
        "site_name": settings.SITE_NAME,
        "window": settings.ALERT_EMAIL_WINDOW_MINUTES,
        "unsubscribe_url": email_links.unsubscribe_url(subscription),
    }


def _domain() -> str:
    return urlsplit(settings.SITE_URL).hostname or "localhost"

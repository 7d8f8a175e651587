"""Incident steps becoming email messages to confirmed subscriptions.

Opened and resolved steps are sent. An updated step is sent only when it
names a place none of the incident's earlier steps did: the timeline's other
updates (the count rising by half) are news for a page or a webhook, not for
someone's inbox. A subscription for a country matches a place within it and
a worldwide incident; one for everywhere matches every place. How often a
subscription is written to is the sender's rule (email_sending.py).
"""

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from outages.alerts import steps, tasks
from outages.alerts.models import Email, EmailSubscription
from outages.models import IncidentUpdate

KINDS = {
    IncidentUpdate.Kind.OPENED: Email.Kind.OPENED,
    IncidentUpdate.Kind.UPDATED: Email.Kind.UPDATED,
    IncidentUpdate.Kind.RESOLVED: Email.Kind.RESOLVED,
}


def emit(step: IncidentUpdate) -> list[Email]:
    """One message of `step` per matching subscription, queued after the
    commit; emitting a step again makes none."""
    if step.kind == IncidentUpdate.Kind.UPDATED and not _adds_places(step):
        return []
    places = steps.places_of(step)
    now = timezone.now()
    made = []
    with transaction.atomic():
        for subscription in subscribers(step.incident.service_id, places):
            email, created = Email.objects.get_or_create(
                subscription=subscription,
                step=step,
                defaults={"kind": KINDS[step.kind], "next_attempt_at": now},
            )
            if created:
                transaction.on_commit(lambda pk=email.pk: tasks.send_email.delay(pk))
                made.append(email)
    return made


def subscribers(service_id: int, places: list[str]) -> list[EmailSubscription]:
    confirmed = EmailSubscription.objects.filter(
        service_id=service_id, confirmed_at__isnull=False
    )
    return [s for s in confirmed if any(_within(s.region, p) for p in places)]


def _within(region: str, place: str) -> bool:
    return (
        region == "" or place == "" or place == region or place.startswith(f"{region}-")
    )


def _adds_places(step: IncidentUpdate) -> bool:
    earlier = IncidentUpdate.objects.filter(incident_id=step.incident_id).filter(
        Q(at__lt=step.at) | Q(at=step.at, pk__lt=step.pk)
    )
    known = {p["region"] for before in earlier for p in before.regions}
    return any(p["region"] not in known for p in step.regions)

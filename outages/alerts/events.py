"""Incident events and who gets them.

Each step of an incident's timeline (an IncidentUpdate: opened, updated,
resolved) is one event, and each event becomes one Delivery per matching
webhook; the unique (webhook, event id) makes emitting twice harmless. Each
step also goes to the email subscribers (email_events.py).
An "updated" step is what the timeline records: a new place affected or the
count half again above the last step, not every minute's new numbers.

A webhook that asked for level "possible" also hears of a service newly at
possible problems (a rise the detector suspects, before it is sure enough to
open an incident): a `service.possible` event, at most once per service in
POSSIBLE_QUIET, since a suspicion can come and go every few minutes.

Matching, kept simple: the webhook's service or every service; its region or
everywhere, where a place matches when it lies within the region or contains
it (the world contains every place, a country its subdivisions). Incident
events go to either level.
"""

import uuid
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from outages.alerts import email_events, steps, tasks
from outages.alerts.models import Delivery, Webhook
from outages.models import Incident, IncidentUpdate, Service
from outages.pipeline.incidents import Applied

TOP_SYMPTOMS = 3
EVENT_TYPES = {
    IncidentUpdate.Kind.OPENED: "incident.opened",
    IncidentUpdate.Kind.UPDATED: "incident.updated",
    IncidentUpdate.Kind.RESOLVED: "incident.resolved",
}
TEST = "webhook.test"
POSSIBLE = "service.possible"
POSSIBLE_QUIET = timedelta(hours=1)


def incidents_changed(changes: Applied, after: datetime) -> None:
    """Emit the steps the detection cycle recorded after `after` (its first
    minute; the cycle before may have recorded a step at that very minute)."""
    ids = {*changes.opened, *changes.updated, *changes.resolved}
    if not ids:
        return
    steps = (
        IncidentUpdate.objects.filter(incident_id__in=ids, at__gt=after)
        .select_related("incident__service")
        .order_by("at", "id")
    )
    for step in steps:
        emit(step)


def emit(step: IncidentUpdate) -> list[Delivery]:
    """One delivery of `step` per matching webhook, each queued after the
    commit; the ones made before are left as they are."""
    incident = step.incident
    event = {
        "type": EVENT_TYPES[step.kind],
        "timestamp": _iso(step.at),
        "data": {"incident": incident_data(incident, step)},
    }
    made = []
    with transaction.atomic():
        for webhook in subscribers(incident.service_id, steps.places_of(step)):
            delivery, created = Delivery.objects.get_or_create(
                webhook=webhook,
                event_id=f"evt_update_{step.pk}",
                defaults={
                    "event_type": event["type"],
                    "incident": incident,
                    "payload": event,
                    "next_attempt_at": timezone.now(),
                },
            )
            if created:
                _queue(delivery)
                made.append(delivery)
    email_events.emit(step)
    return made


def possible_problems(found: dict[int, list[dict]], at: datetime) -> list[Delivery]:
    """A `service.possible` event for each service of `found` (newly at
    possible problems at `at`, with its places), to the webhooks that asked
    for that level and have not heard of it within POSSIBLE_QUIET."""
    made = []
    with transaction.atomic():
        for service in Service.objects.filter(id__in=found):
            places = found[service.id]
            event = {
                "type": POSSIBLE,
                "timestamp": _iso(at),
                "data": possible_data(service, places),
            }
            prefix = f"evt_possible_{service.id}_"
            webhooks = subscribers(
                service.id, [p["region"] for p in places], Webhook.Level.POSSIBLE
            )
            for webhook in webhooks:
                told = webhook.deliveries.filter(
                    event_id__startswith=prefix, created_at__gt=at - POSSIBLE_QUIET
                )
                if told.exists():
                    continue
                delivery, created = Delivery.objects.get_or_create(
                    webhook=webhook,
                    event_id=f"{prefix}{at:%Y%m%dT%H%MZ}",
                    defaults={
                        "event_type": POSSIBLE,
                        "payload": event,
                        "next_attempt_at": timezone.now(),
                    },
                )
                if created:
                    _queue(delivery)
                    made.append(delivery)
    return made


def subscribers(
    service_id: int, places: list[str], level: str = Webhook.Level.OUTAGE
) -> list[Webhook]:
    """The active webhooks for the service and one of `places` that want to
    hear of `level` (an incident is an outage: every webhook wants it)."""
    webhooks = Webhook.objects.filter(active=True).filter(
        Q(service__isnull=True) | Q(service_id=service_id)
    )
    if level == Webhook.Level.POSSIBLE:
        webhooks = webhooks.filter(min_level=Webhook.Level.POSSIBLE)
    return [w for w in webhooks if any(_overlap(w.region, p) for p in places)]


def _overlap(region: str, place: str) -> bool:
    """Whether `place` lies within `region` or contains it ("" is the world,
    "US" contains "US-CA")."""
    return (
        region == place
        or region == ""
        or place == ""
        or place.startswith(f"{region}-")
        or region.startswith(f"{place}-")
    )


def incident_data(incident: Incident, step: IncidentUpdate) -> dict:
    """The incident as the event tells it: the step's numbers and places
    (steps.regions_of)."""
    symptoms = sorted(incident.symptoms.items(), key=lambda s: -s[1])
    resource = reverse("api:incident-detail", args=[incident.pk])
    return {
        "id": incident.pk,
        "service": {"slug": incident.service.slug, "name": incident.service.name},
        "level": "outage",
        "state": incident.state,
        "scope": incident.scope,
        "opened_at": _iso(incident.opened_at),
        "resolved_at": _iso(incident.resolved_at) if incident.resolved_at else None,
        "false_alarm": incident.false_alarm,
        "note": incident.note or None,
        "observed": round(step.observed, 2),
        "expected": round(step.expected, 2),
        "places": [
            {
                "region": p["region"],
                "observed": p["observed"],
                "expected": p["expected"],
            }
            for p in steps.regions_of(step)
        ],
        "top_symptoms": [
            {"symptom": slug, "share": share} for slug, share in symptoms[:TOP_SYMPTOMS]
        ],
        "url": settings.SITE_URL + incident.get_absolute_url(),
        "api_url": settings.SITE_URL + resource,
    }


def possible_data(service: Service, places: list[dict]) -> dict:
    status_api = reverse("api:service-status", args=[service.slug])
    return {
        "service": {"slug": service.slug, "name": service.name},
        "level": "possible",
        "places": places,
        "url": settings.SITE_URL + service.get_absolute_url(),
        "api_url": settings.SITE_URL + status_api,
    }


def send_test(webhook: Webhook) -> Delivery:
    """A `webhook.test` event for `webhook` alone, queued after the commit."""
    now = timezone.now()
    with transaction.atomic():
        delivery = Delivery.objects.create(
            webhook=webhook,
            event_id=f"evt_test_{uuid.uuid4().hex}",
            event_type=TEST,
            payload={
                "type": TEST,
                "timestamp": _iso(now),
                "data": {"webhook": webhook.pk},
            },
            next_attempt_at=now,
        )
        _queue(delivery)
    return delivery


def _queue(delivery: Delivery) -> None:
    transaction.on_commit(lambda: tasks.deliver.delay(delivery.pk))


def _iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")

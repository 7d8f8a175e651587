"""Turning the detector's states into incidents people can read.

A service has an incident while any of its series (the world, a country, a
state) is in one; its scope is worldwide when the world series is. Every
change is a conditional UPDATE on the open row, and opening relies on the
one-open-incident-per-service index, so two cycles running at once can
neither open an incident twice nor resolve it twice.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction

from outages.detection.lifecycle import ONGOING
from outages.models import Incident, IncidentUpdate
from outages.pipeline.concentration import NOTHING, Assessment, Spread
from outages.pipeline.counts import Key, symptom_shares
from outages.pipeline.status import SUMMARY_WINDOW, SUMMARY_WINDOW_MINUTES


@dataclass(frozen=True)
class AffectedPlace:
    region: str
    observed: float
    expected: float
    p_value: float
    spread: Spread

    def as_json(self) -> dict:
        return {
            "region": self.region,
            "observed": round(self.observed, 2),
            "expected": round(self.expected, 2),
            "networks": self.spread.networks,
        }


@dataclass(frozen=True)
class Applied:
    opened: list[int]
    updated: list[int]
    resolved: list[int]

    def __add__(self, other: "Applied") -> "Applied":
        return Applied(
            self.opened + other.opened,
            self.updated + other.updated,
            self.resolved + other.resolved,
        )


def open_incidents() -> dict[int, Incident]:
    """The incidents open now, by service."""
    return {
        i.service_id: i for i in Incident.objects.filter(state=Incident.State.ONGOING)
    }


def places_of(incidents: dict[int, Incident]) -> set[Key]:
    return {
        (service_id, place["region"])
        for service_id, incident in incidents.items()
        for place in incident.regions
    }


def affected_places(
    keys, detector, assessment: Assessment = NOTHING
) -> dict[int, list[AffectedPlace]]:
    """Per service, its series in an incident now and not doubted, worst
    first."""
    places: dict[int, list[AffectedPlace]] = {}
    observed = detector.window_observed[:, SUMMARY_WINDOW]
    expected = detector.window_expected[:, SUMMARY_WINDOW]
    for i in (detector.states.state == ONGOING).nonzero()[0]:
        if i in assessment.doubted:
            continue
        service_id, region = keys[i]
        places.setdefault(service_id, []).append(
            AffectedPlace(
                region,
                float(observed[i]),
                float(expected[i]),
                float(detector.last_p[i]),
                assessment.of(int(i)),
            )
        )
    for found in places.values():
        # The world first, then by how far each place is above normal.
        found.sort(key=lambda p: (p.region != "", -p.observed / max(p.expected, 1e-3)))
    return places


def apply(
    keys,
    detector,
    at: datetime,
    assessment: Assessment = NOTHING,
    open_now: dict[int, Incident] | None = None,
) -> Applied:
    """Open, update and resolve incidents to match the detector at `at`,
    leaving out the rises `assessment` doubts; `open_now` is what
    `open_incidents` found, if the caller has asked already."""
    affected = affected_places(keys, detector, assessment)
    if open_now is None:
        open_now = open_incidents()
    changes = Applied([], [], [])
    for service_id, places in affected.items():
        incident = open_now.get(service_id)
        if incident is None:
            incident = _open(service_id, places, at)
            changes.opened.append(incident.pk)
        elif _update(incident, places, at):
            changes.updated.append(incident.pk)
    for service_id, incident in open_now.items():
        if service_id not in affected and resolve(incident, at):
            changes.resolved.append(incident.pk)
    return changes


def _fields(service_id: int, places: list[AffectedPlace], at: datetime) -> dict:
    main = places[0]
    return {
        "scope": Incident.Scope.WORLDWIDE
        if main.region == ""
        else Incident.Scope.REGIONAL,
        "observed": main.observed,
        "expected": main.expected,
        "p_value": main.p_value,
        "regions": [p.as_json() for p in places],
        "symptoms": symptom_shares(
            service_id, at - timedelta(minutes=SUMMARY_WINDOW_MINUTES), at
        ),
        "networks": main.spread.networks,
        "largest_block_share": main.spread.largest_block_share,
        "integrators": _integrators(main.spread),
        "updated_at": at,
    }


def _integrators(spread: Spread) -> list[dict]:
    """What each integrator's token added to the main place, most first."""
    if not spread.integrators:
        return []
    names = dict(
        get_user_model()
        .objects.filter(pk__in=spread.integrators)
        .values_list("pk", get_user_model().USERNAME_FIELD)
    )
    return sorted(
        (
            {"name": names.get(pk, f"#{pk}"), "reporters": n}
            for pk, n in spread.integrators.items()
        ),
        key=lambda c: (-c["reporters"], c["name"]),
    )


def _open(service_id: int, places: list[AffectedPlace], at: datetime) -> Incident:
    fields = _fields(service_id, places, at)
    try:
        with transaction.atomic():
            incident = Incident.objects.create(
                service_id=service_id,
                state=Incident.State.ONGOING,
                opened_at=at,
                peak_at=at,
                peak_observed=fields["observed"],
                peak_expected=fields["expected"],
                **fields,
            )
    except IntegrityError:
        # A concurrent cycle opened it first: bring that one up to date.
        incident = Incident.objects.get(
            service_id=service_id, state=Incident.State.ONGOING
        )
        _update(incident, places, at)
        return incident
    _record(incident, IncidentUpdate.Kind.OPENED, fields, at)
    return incident


def _update(incident: Incident, places: list[AffectedPlace], at: datetime) -> bool:
    fields = _fields(incident.service_id, places, at)
    fields["regions"] = _merged(incident.regions, fields["regions"])
    if incident.scope == Incident.Scope.WORLDWIDE:
        fields["scope"] = incident.scope  # once worldwide, it stays so
    if fields["observed"] > incident.peak_observed:
        fields.update(
            peak_at=at,
            peak_observed=fields["observed"],
            peak_expected=fields["expected"],
        )
    changed = Incident.objects.filter(
        pk=incident.pk, state=Incident.State.ONGOING
    ).update(**fields)
    if changed and _worth_a_timeline_entry(incident, fields):
        _record(incident, IncidentUpdate.Kind.UPDATED, fields, at)
    return bool(changed)


def _merged(before: list[dict], now: list[dict]) -> list[dict]:
    """Every place affected so far, each at its worst."""
    worst = {r["region"]: r for r in before}
    for r in now:
        if r["observed"] >= worst.get(r["region"], {"observed": -1})["observed"]:
            worst[r["region"]] = r
    return sorted(
        worst.values(),
        key=lambda r: (r["region"] != "", -r["observed"] / max(r["expected"], 1e-3)),
    )


def _worth_a_timeline_entry(incident: Incident, fields: dict) -> bool:
    """A new place affected, or the count half again above the last entry."""
    last = incident.updates.order_by("-at", "-id").first()
    if last is None:
        return True
    regions = {r["region"] for r in fields["regions"]}
    before = {r["region"] for r in last.regions}
    return not regions <= before or fields["observed"] >= 1.5 * max(last.observed, 1)


def resolve(incident: Incident, at: datetime) -> bool:
    """Resolve the open `incident` at `at`; False if it was not open."""
    changed = Incident.objects.filter(
        pk=incident.pk, state=Incident.State.ONGOING
    ).update(state=Incident.State.RESOLVED, resolved_at=at, updated_at=at)
    if changed:
        fields = {
            "observed": 0.0,
            "expected": incident.expected,
            "p_value": 1.0,
            "regions": [],
        }
        _record(incident, IncidentUpdate.Kind.RESOLVED, fields, at)
    return bool(changed)


def _record(incident: Incident, kind: str, fields: dict, at: datetime) -> None:
    IncidentUpdate.objects.create(
        incident=incident,
        kind=kind,
        at=at,
        observed=fields["observed"],
        expected=fields["expected"],
        p_value=fields["p_value"],
        regions=fields["regions"],
    )

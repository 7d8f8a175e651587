"""An operator's word that an incident was no outage.

Marking an open incident a false alarm resolves it and tells the detector
that what its service's series see now is normal (`Detector.forgive`), so
the same traffic neither keeps it open nor opens the next one, and is
learned from at once. A past incident only gets the flag: its series have
long moved on, and what they learned since is left alone. Whether an
incident was a false alarm is not read by detection; undoing the mark only
clears the flag.
"""

import numpy as np
from django.db import transaction
from django.utils import timezone

from outages.alerts import events
from outages.detection.clock import MINUTE
from outages.detection.lifecycle import ONGOING, SUSPECTED
from outages.models import Incident, IncidentUpdate
from outages.pipeline import concentration, incidents, shards, state, status


def mark_false_alarm(incident: Incident, note: str = "") -> Incident:
    """Flag `incident` a false alarm (with the operator's `note`, if any);
    resolve it now and forgive its series if it is still open."""
    now = timezone.now()
    with transaction.atomic():
        # The cycle's lock: no cycle is judging the series while they are
        # forgiven, and none saves arrays from before it afterwards.
        shard = shards.of(incident.service_id)
        row = state.locked(shard)
        incident = Incident.objects.select_for_update().get(pk=incident.pk)
        fields = {"false_alarm": True, "updated_at": now}
        if note:
            fields["note"] = note
        was_open = incident.state == Incident.State.ONGOING
        if was_open:
            incidents.resolve(incident, now)
        Incident.objects.filter(pk=incident.pk).update(**fields)
        if was_open:
            _forgive_service(row, shard, incident.service_id)
            # Subscribers were told it opened: tell them it is over, and why
            # (made in this transaction, sent after it).
            _announce_resolved(incident.pk)
    incident.refresh_from_db()
    return incident


def unmark_false_alarm(incident: Incident) -> Incident:
    """Clear the flag; the detector keeps what it learned meanwhile."""
    Incident.objects.filter(pk=incident.pk).update(
        false_alarm=False, updated_at=timezone.now()
    )
    incident.refresh_from_db()
    return incident


def _announce_resolved(pk: int) -> None:
    step = (
        IncidentUpdate.objects.filter(incident_id=pk, kind=IncidentUpdate.Kind.RESOLVED)
        .select_related("incident__service")
        .latest("at")
    )
    events.emit(step)


def _forgive_service(row, shard: int, service_id: int) -> None:
    keys, detector = state.loaded(row)
    if not keys or detector.steps == 0 or row.shards != shards.count():
        # Nothing learned to forgive (or a state the cycle will relearn).
        return
    mine = np.array([service_id == s for s, _ in keys])
    # Its suspected places too: the same traffic, about to open the next one.
    rising = np.isin(detector.states.state, [ONGOING, SUSPECTED])
    detector.forgive(mine & rising)
    state.store(row, keys, detector)
    # The published status still calls the service down; as the cycle, after
    # the commit. The status is of the last minute judged.
    at = row.minute + MINUTE if row.minute else timezone.now()
    judged = concentration.assess(
        keys,
        detector,
        at,
        trusted=incidents.places_of(incidents.open_incidents()),
    )
    transaction.on_commit(lambda: status.publish(shard, keys, detector, judged))

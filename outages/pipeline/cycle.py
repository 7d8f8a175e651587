"""The detection cycle: judge every series for each minute not yet judged.

The series are spread over shards (shards.py), each a row locked for its
shard's cycle, so cycles of a shard that overlap (a slow one and the next
minute's) take turns and never judge a minute twice, while other shards go
on beside them. A shard that was down catches up on the minutes it missed,
up to a day.
"""

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from outages.alerts import events
from outages.detection.clock import MINUTE, hours_of_week_from
from outages.detection.detector import Detector
from outages.models import DetectorState, Incident
from outages.pipeline import (
    concentration,
    counts,
    history,
    incidents,
    shards,
    state,
    status,
)

log = logging.getLogger(__name__)

MAX_CATCH_UP = 24 * 60
# A minute is judged once it has been over for this long, so the reports of
# its last seconds have been bucketed.
SETTLE = timedelta(seconds=10)


@dataclass(frozen=True)
class Cycle:
    minutes: int  # how many minutes were judged (the most of any shard)
    series: int
    changes: incidents.Applied | None = None

    def __add__(self, other: "Cycle") -> "Cycle":
        return Cycle(
            max(self.minutes, other.minutes),
            self.series + other.series,
            (self.changes or incidents.Applied([], [], []))
            + (other.changes or incidents.Applied([], [], [])),
        )


def detect_new_minutes(now: datetime | None = None) -> Cycle:
    """Judge the complete minutes since the last cycle, up to `now`, in
    every shard, one after the other (the worker runs them side by side)."""
    now = now or timezone.now()
    done = Cycle(0, 0)
    for shard in range(shards.count()):
        done += detect_shard(shard, now)
    return done


def detect_shard(shard: int, now: datetime | None = None) -> Cycle:
    """Judge the shard's complete minutes since its last cycle, up to `now`."""
    now = now or timezone.now()
    last = (now - SETTLE).replace(second=0, microsecond=0) - MINUTE
    if not state.current(shard) and not state.regroup():
        # Saved for another number of shards and not regrouped: this shard
        # relearns; the rows of shards beyond the number go now, in a
        # transaction of their own.
        DetectorState.objects.filter(shard__gte=shards.count()).delete()
    with transaction.atomic():
        row = state.locked(shard)
        keys, detector, relearned = _resumed(row, shard)
        first = row.minute + MINUTE if row.minute else last
        first = max(first, last - (MAX_CATCH_UP - 1) * MINUTE)
        if first > last:
            if relearned:
                state.store(row, keys, detector, minute=row.minute)
            return Cycle(0, 0)
        possible_before = status.possible_problems(keys, detector)
        length = int((last - first) / MINUTE) + 1
        found = counts.reporters_per_minute(first, last, (shard, shards.count()))
        matrix = counts.take_in(found, keys, detector, length)
        state.see_others(detector, shard, len(keys))
        hours = hours_of_week_from(first, length)
        changes = incidents.Applied([], [], [])
        for t in range(length):
            _, _, opened, ongoing = detector.step(int(hours[t]), matrix[:, t])
            # Catching up, incidents are applied where they happened; the
            # last minute is always applied.
            changed = opened.any() or detector.resolved_now.any()
            if changed or t == length - 1 or (ongoing.any() and t % 5 == 4):
                at = first + (t + 1) * MINUTE
                open_now = _open_in(shard)
                judged = concentration.assess(
                    keys, detector, at, trusted=incidents.places_of(open_now)
                )
                changes += incidents.apply(keys, detector, at, judged, open_now)

        possible = status.possible_problems(keys, detector, judged)
        _announce(
            changes,
            after=first,
            possible={k: v for k, v in possible.items() if k not in possible_before},
            at=last + MINUTE,
        )
        state.store(row, keys, detector, minute=last)
        transaction.on_commit(lambda: status.publish(shard, keys, detector, judged))
    return Cycle(length, len(keys), changes)


def _resumed(row, shard: int):
    """The shard's keys and detector, and whether they were relearned from
    the stored buckets (when its row cannot be read as it is)."""
    keys, detector = state.loaded(row)
    if row.shards == shards.count() and not (keys and detector.steps == 0):
        return keys, detector, False
    # Saved by a detector this one cannot read (an upgrade), or for another
    # number of shards and not regrouped (rows at different minutes): relearn
    # from the stored counts, up to the minute the radar had judged.
    until = row.minute if row.shards == shards.count() else state.latest_minute()
    if until is None:
        return [], Detector(0, bucket_minutes=1.0), False
    row.minute = until
    return *history.relearned(until, shard), True


def _open_in(shard: int) -> dict[int, Incident]:
    """The open incidents of the shard's services: the only ones it may
    update or resolve."""
    return {
        service_id: incident
        for service_id, incident in incidents.open_incidents().items()
        if shards.of(service_id) == shard
    }


def _announce(
    changes: incidents.Applied, after: datetime, possible: dict, at: datetime
) -> None:
    """Make the cycle's webhook deliveries and emails in its own transaction
    (its incidents' steps, and the services newly at "possible"):
    a worker that dies just after the commit leaves them pending, and the
    sweeps send them. A failure here must not cost the cycle, so it runs in
    a savepoint and is logged."""
    try:
        with transaction.atomic():
            events.incidents_changed(changes, after=after)
            events.possible_problems(possible, at)
    except Exception:
        log.exception("Incident events of the cycle after %s were not made", after)

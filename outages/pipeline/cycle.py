"""The detection cycle: judge every series for each minute not yet judged.

The detector's arrays live in one row, locked for the cycle, so cycles that
overlap (a slow one and the next minute's) take turns and never judge a
minute twice. A worker that was down catches up on the minutes it missed,
up to a day.
"""

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from outages.alerts import events
from outages.detection.clock import MINUTE, hours_of_week_from
from outages.pipeline import concentration, counts, history, incidents, state, status

log = logging.getLogger(__name__)

MAX_CATCH_UP = 24 * 60
# A minute is judged once it has been over for this long, so the reports of
# its last seconds have been bucketed.
SETTLE = timedelta(seconds=10)


@dataclass(frozen=True)
class Cycle:
    minutes: int  # how many minutes were judged
    series: int
    changes: incidents.Applied | None = None


def detect_new_minutes(now: datetime | None = None) -> Cycle:
    """Judge the complete minutes since the last cycle, up to `now`."""
    now = now or timezone.now()
    last = (now - SETTLE).replace(second=0, microsecond=0) - MINUTE
    with transaction.atomic():
        row = state.locked()
        first = row.minute + MINUTE if row.minute else last
        first = max(first, last - (MAX_CATCH_UP - 1) * MINUTE)
        if first > last:
            return Cycle(0, 0)
        keys, detector = state.loaded(row)
        if keys and detector.steps == 0:
            # Saved by a detector this one cannot read (an upgrade): relearn
            # from the stored counts, up to the minute the old one had judged.
            keys, detector = history.relearned(row.minute)
        possible_before = status.possible_problems(keys, detector)
        length = int((last - first) / MINUTE) + 1
        found = counts.reporters_per_minute(first, last)
        matrix = counts.take_in(found, keys, detector, length)
        hours = hours_of_week_from(first, length)
        changes = incidents.Applied([], [], [])
        for t in range(length):
            _, _, opened, ongoing = detector.step(int(hours[t]), matrix[:, t])
            # Catching up, incidents are applied where they happened; the
            # last minute is always applied.
            changed = opened.any() or detector.resolved_now.any()
            if changed or t == length - 1 or (ongoing.any() and t % 5 == 4):
                at = first + (t + 1) * MINUTE
                open_now = incidents.open_incidents()
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
        transaction.on_commit(lambda: status.publish(keys, detector, judged))
    return Cycle(length, len(keys), changes)


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

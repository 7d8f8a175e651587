"""Where a step of an incident's timeline happened, as every alert tells it.

Kept apart from the channels' modules, which import the tasks: the message
text (email_messages.py) needs it too.
"""

from outages.models import IncidentUpdate


def regions_of(step: IncidentUpdate) -> list[dict]:
    """The step's places with their numbers; a resolved step has none of its
    own, so every place the incident affected ("" is the whole world)."""
    return step.regions or step.incident.regions


def places_of(step: IncidentUpdate) -> list[str]:
    """The region codes of the step's places."""
    return [p["region"] for p in regions_of(step)]

"""What the radar says about a service or an incident in one sentence: for
search results, shared links and feed readers, which show no page."""

from django.utils import dateformat

from outages.catalog import lookup
from outages.models import Incident
from outages.templatetags.radar import duration


def place_names(incident, countries_only=False) -> list[str]:
    """The names of a regional incident's places, "" (worldwide) left out."""
    if incident.scope != Incident.Scope.REGIONAL:
        return []
    codes = [r["region"] for r in incident.regions if r["region"]]
    if countries_only:
        codes = [code for code in codes if "-" not in code]
    return [lookup.region_name(code) for code in codes]


def service_summary(service, incident, level: str) -> str:
    question = f"Is {service.name} down?"
    if incident:
        where = place_names(incident)
        return (
            f"{question} Problems detected{' in ' + ', '.join(where) if where else ''}"
            f" since {incident.opened_at:%H:%M} UTC: {incident.observed:.0f} people"
            " reported problems in the last 15 minutes, where about"
            f" {incident.expected:.0f} is normal."
        )
    if level == "possible":
        return f"{question} More people than usual report problems right now."
    if level == "unknown":
        return f"{question} The radar cannot tell right now."
    return (
        f"{question} No problems detected right now. Report a problem to see"
        " whether others have it too, and what you can try."
    )


def incident_title(incident) -> str:
    opened = dateformat.format(incident.opened_at, "M j, H:i")
    return f"{incident.service.name} incident, {opened} UTC"


def incident_summary(incident) -> str:
    names = place_names(incident)
    where = f"in {', '.join(names)}" if names else "worldwide"
    ongoing = incident.state == Incident.State.ONGOING
    verdict = "Marked a false alarm by the operator: " if incident.false_alarm else ""
    return (
        f"{verdict}Problems with {incident.service.name} {where},"
        f" {'ongoing for' if ongoing else 'resolved after'}"
        f" {duration(incident.duration)}: a peak of {incident.peak_observed:.0f}"
        f" reports in 15 minutes where {incident.peak_expected:.0f} is normal."
    )

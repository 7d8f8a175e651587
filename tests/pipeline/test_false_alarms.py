"""An operator calling an incident a false alarm, against real cycles."""

from datetime import timedelta

import pytest
import time_machine

from outages.models import DetectorState, Incident
from outages.pipeline import status
from outages.pipeline.false_alarms import mark_false_alarm, unmark_false_alarm
from tests.helpers.outage import MINUTE, NOW, surge

PEOPLE_A_MINUTE = 40


@pytest.fixture
def crowd(client, cycle_at):
    """40 new people in Germany report TikTok every minute, for as long as
    asked; detection runs each minute as the worker would."""

    def report(first_minute, minutes):
        for m in range(first_minute, first_minute + minutes):
            with time_machine.travel(NOW + m * MINUTE, tick=False):
                surge(client, PEOPLE_A_MINUTE, start=m * PEOPLE_A_MINUTE)
            cycle_at(NOW + (m + 1) * MINUTE)

    return report


def test_marking_an_open_incident_a_false_alarm_resolves_it_and_it_stays_closed(
    client, tiktok_with_history, crowd, django_capture_on_commit_callbacks
):
    crowd(0, 6)
    incident = Incident.objects.get()
    assert incident.state == Incident.State.ONGOING
    assert status.service_level(tiktok_with_history.id)["level"] == "outage"

    marked_at = NOW + 6 * MINUTE + timedelta(seconds=5)
    with (
        time_machine.travel(marked_at, tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        mark_false_alarm(incident, note="Confirmed by the provider.")

    incident.refresh_from_db()
    assert incident.false_alarm and incident.note == "Confirmed by the provider."
    assert incident.state == Incident.State.RESOLVED
    assert incident.resolved_at == marked_at
    assert incident.updates.last().kind == "resolved"
    # The published status no longer calls TikTok down.
    assert status.service_level(tiktok_with_history.id)["level"] == "ok"
    answer = client.get(f"/api/v1/incidents/{incident.pk}").json()
    assert answer["false_alarm"] is True
    assert answer["note"] == "Confirmed by the provider."
    assert answer["state"] == "resolved"
    assert answer["updates"][-1]["kind"] == "resolved"

    # The same crowd keeps reporting: it is the new normal, not an outage.
    crowd(6, 20)
    assert Incident.objects.get() == incident
    assert status.service_level(tiktok_with_history.id)["level"] == "ok"


def test_the_incident_list_filters_on_false_alarms(client, tiktok_with_history, crowd):
    crowd(0, 4)
    incident = mark_false_alarm(Incident.objects.get())
    flagged = client.get("/api/v1/incidents?false_alarm=true").json()
    assert [i["id"] for i in flagged["results"]] == [incident.pk]
    assert client.get("/api/v1/incidents?false_alarm=false").json()["results"] == []
    bad = client.get("/api/v1/incidents?false_alarm=maybe")
    assert bad.status_code == 400 and "false_alarm" in bad.json()


def saved_arrays():
    return [bytes(a) for a in DetectorState.objects.values_list("arrays", flat=True)]


def test_a_past_incident_marked_a_false_alarm_only_gets_the_flag(
    client, tiktok_with_history, crowd, cycle_at
):
    crowd(0, 4)
    for minutes in range(5, 30):
        cycle_at(NOW + minutes * MINUTE)
    incident = Incident.objects.get()
    assert incident.state == Incident.State.RESOLVED
    arrays = saved_arrays()

    marked = mark_false_alarm(incident)

    assert marked.false_alarm and marked.note == ""
    assert marked.resolved_at == incident.resolved_at
    assert list(marked.updates.values_list("kind", flat=True)).count("resolved") == 1
    assert saved_arrays() == arrays
    assert client.get(f"/api/v1/incidents/{incident.pk}").json()["note"] is None


def test_undoing_a_false_alarm_clears_only_the_flag(tiktok_with_history, crowd):
    crowd(0, 4)
    incident = mark_false_alarm(Incident.objects.get(), note="A TV advert.")
    undone = unmark_false_alarm(incident)
    assert not undone.false_alarm
    assert undone.note == "A TV advert."
    assert undone.state == Incident.State.RESOLVED

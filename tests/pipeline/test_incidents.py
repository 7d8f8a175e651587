"""Incidents opening, updating and resolving from real buckets in PostgreSQL."""

from datetime import timedelta

import time_machine

from outages.models import Incident, Service
from outages.pipeline import status
from outages.pipeline.family import family as family_of
from tests.helpers.outage import MINUTE, NOW, person, surge


def test_a_surge_opens_an_incident_within_two_cycles_and_it_resolves(
    client, tiktok_with_history, cycle_at
):
    with time_machine.travel(NOW, tick=False):
        surge(client, 40, symptom="login")
        surge(client, 10, symptom="upload", start=40)
    cycle_at(NOW + MINUTE)
    cycle_at(NOW + 2 * MINUTE)
    incident = Incident.objects.get()
    assert incident.state == Incident.State.ONGOING
    assert incident.service == tiktok_with_history
    assert incident.opened_at <= NOW + 2 * MINUTE
    assert incident.regions[0]["region"] == "" or incident.scope == "regional"
    assert "DE" in {r["region"] for r in incident.regions}
    assert next(iter(incident.symptoms)) == "login"
    assert incident.symptoms["login"] == 80.0
    # The last 15 minutes: about 4 a minute as usual, and the 50 on top.
    assert incident.observed >= incident.expected + 40
    assert status.service_level(tiktok_with_history.id)["level"] == "outage"
    assert "Problems detected with TikTok" in client.get("/s/tiktok/").text
    home = client.get("/").text
    assert "Problems right now" in home and "/s/tiktok/" in home

    # Traffic back to normal: the surge leaves the windows, the incident ends.
    for minutes in range(3, 30):
        cycle_at(NOW + minutes * MINUTE)
    incident.refresh_from_db()
    assert incident.state == Incident.State.RESOLVED
    assert NOW + 10 * MINUTE < incident.resolved_at < NOW + 30 * MINUTE
    kinds = list(incident.updates.values_list("kind", flat=True))
    assert kinds[0] == "opened" and kinds[-1] == "resolved"
    page = client.get("/s/tiktok/").text
    assert "No problems detected with TikTok right now" in page
    assert "Past incidents" in page and "lasting" in page


def test_one_client_sending_many_reports_opens_nothing(
    client, tiktok_with_history, settings, cycle_at
):
    settings.REPORTS_PER_MINUTE = 100_000
    with time_machine.travel(NOW, tick=False):
        for _ in range(500):
            client.post(
                "/api/v1/reports",
                {"service": "tiktok", "symptom": "login", "region": "DE"},
                content_type="application/json",
            )
    cycle_at(NOW + MINUTE)
    cycle_at(NOW + 2 * MINUTE)
    assert not Incident.objects.exists()


def test_a_cycle_never_judges_a_minute_twice(tiktok_with_history, cycle_at):
    assert cycle_at(NOW + MINUTE).minutes == 1
    assert cycle_at(NOW + MINUTE).minutes == 0
    assert cycle_at(NOW + 5 * MINUTE).minutes == 4


def test_a_new_series_is_learned_without_alerting_on_its_first_reports(
    client, tiktok_with_history, cycle_at
):
    with time_machine.travel(NOW, tick=False):
        surge(client, 8, region="NZ")
    cycle_at(NOW + MINUTE)
    cycle_at(NOW + 2 * MINUTE)
    # The world series saw 8 extra people on top of its normal 4 a minute:
    # not enough; New Zealand is new and has no baseline yet.
    assert not Incident.objects.exists()
    level = status.service_level(tiktok_with_history.id)
    assert level["level"] == "ok" and level["observed"] > 0


def test_each_series_borrows_from_the_place_that_holds_it(catalog):
    tiktok, instagram, netflix = (
        Service.objects.get(slug=slug) for slug in ("tiktok", "instagram", "netflix")
    )
    keys = [
        (tiktok.id, ""),
        (tiktok.id, "DE"),
        (tiktok.id, "DE-BY"),
        (tiktok.id, "FR-IDF"),  # France itself has no series yet
        (instagram.id, ""),
        (netflix.id, ""),
    ]
    family = family_of(keys)
    assert list(family.parent) == [-1, 0, 1, 0, -1, -1]
    # World series borrow from their category: TikTok and Instagram are both
    # social networks, Netflix is not.
    assert family.group[0] == family.group[4] != family.group[5]
    assert list(family.group[1:4]) == [-1, -1, -1]


def test_a_new_service_expects_what_its_category_does_and_opens_nothing(
    client, tiktok_with_history, cycle_at
):
    # Instagram has no history; TikTok, the one social network that has,
    # gets about 4 reports a minute.
    instagram = Service.objects.get(slug="instagram")
    with time_machine.travel(NOW, tick=False):
        for i in range(3):
            response = client.post(
                "/api/v1/reports",
                {"service": "instagram", "symptom": "login"},
                content_type="application/json",
                **person(i),
            )
            assert response.status_code == 201
    cycle_at(NOW + MINUTE)
    cycle_at(NOW + 2 * MINUTE)
    assert not Incident.objects.exists()
    level = status.service_level(instagram.id)
    # Two minutes judged, each expecting about what TikTok does: not zero.
    assert level["level"] == "ok"
    assert level["observed"] == 3 and 4 < level["expected"] < 12


def test_the_demo_backfill_learns_history_and_records_past_incidents(catalog):
    from outages import demo

    with time_machine.travel(NOW, tick=False):
        assert demo.is_empty()
        written = demo.backfill(now=NOW)
    assert written > 10_000 and not demo.is_empty()
    past = Incident.objects.filter(state=Incident.State.RESOLVED)
    assert {i.service.slug for i in past} >= {"instagram", "discord"}
    discord = past.get(service__slug="discord")
    assert "DE" in {r["region"] for r in discord.regions}
    assert discord.scope == Incident.Scope.REGIONAL
    assert NOW - timedelta(hours=7) < discord.opened_at < NOW - timedelta(hours=5)

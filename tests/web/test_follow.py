"""Ways to know without looking: Atom feeds, the badge, the status summary."""

from xml.etree import ElementTree

import time_machine

from outages.models import Incident, Service
from outages.pipeline import status
from tests.helpers.outage import MINUTE, NOW

ATOM = "{http://www.w3.org/2005/Atom}"


def at_the_outage(client, url):
    with time_machine.travel(NOW + 2 * MINUTE, tick=False):
        return client.get(url)


def entries(response) -> list[dict]:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = ElementTree.fromstring(response.content)
    assert feed.tag == f"{ATOM}feed"
    # What RFC 4287 requires of a feed and of each entry.
    for required in ("id", "title", "updated"):
        assert feed.find(f"{ATOM}{required}") is not None
    found = []
    for entry in feed.iter(f"{ATOM}entry"):
        for required in ("id", "title", "updated"):
            assert entry.find(f"{ATOM}{required}").text
        found.append(
            {
                "title": entry.find(f"{ATOM}title").text,
                "link": entry.find(f"{ATOM}link").get("href"),
                "summary": entry.find(f"{ATOM}summary").text,
            }
        )
    return found


def test_the_feeds_list_the_incident_where_it_belongs(client, outage_in_germany):
    Incident.objects.update(scope="regional")
    page = f"http://testserver/incidents/{outage_in_germany.id}/"
    for url in ("/incidents.atom", "/s/tiktok/incidents.atom"):
        (entry,) = entries(at_the_outage(client, url))
        assert entry["link"] == page
        assert entry["title"] == "TikTok incident, Nov 24, 12:01 UTC (ongoing)"
        assert entry["summary"].startswith("Problems with TikTok in Germany, ongoing")

    assert [e["link"] for e in entries(client.get("/regions/DE/incidents.atom"))] == [
        page
    ]
    assert entries(client.get("/regions/FR/incidents.atom")) == []
    assert entries(client.get("/s/instagram/incidents.atom")) == []


def test_a_country_feed_includes_incidents_in_its_subdivisions(
    client, outage_in_germany
):
    Incident.objects.update(
        scope="regional", regions=[{"region": "DE-BY", "observed": 9, "expected": 1}]
    )
    assert len(entries(client.get("/regions/DE/incidents.atom"))) == 1
    assert entries(client.get("/regions/AT/incidents.atom")) == []


def test_feeds_of_unknown_things_are_404(client, catalog):
    assert client.get("/s/no-such-service/incidents.atom").status_code == 404
    assert client.get("/regions/XX/incidents.atom").status_code == 404
    assert client.get("/regions/DE-BY/incidents.atom").status_code == 404


def test_the_pages_link_their_feeds(client, catalog):
    html = client.get("/s/tiktok/").text
    assert (
        'type="application/atom+xml" title="All incidents" href="/incidents.atom"'
        in html
    )
    assert 'href="/s/tiktok/incidents.atom"' in html


def badge(client, url="/s/tiktok/badge.svg"):
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("image/svg+xml")
    assert "max-age=60" in response["Cache-Control"]
    svg = ElementTree.fromstring(response.content)  # well-formed XML
    assert svg.tag == "{http://www.w3.org/2000/svg}svg"
    return svg


def test_the_badge_shows_the_services_level(client, outage_in_germany):
    with time_machine.travel(NOW + 2 * MINUTE, tick=False):
        svg = badge(client)
    assert svg.get("data-level") == "outage"
    assert svg.get("aria-label") == "TikTok: problems"
    texts = [t.text for t in svg.iter("{http://www.w3.org/2000/svg}text")]
    assert texts == ["TikTok", "problems"]


def test_the_badge_of_a_quiet_service_and_a_name_that_needs_escaping(
    client, outage_in_germany
):
    Service.objects.filter(slug="instagram").update(name="Insta & <Gram>")
    with time_machine.travel(NOW + 2 * MINUTE, tick=False):
        svg = badge(client, "/s/instagram/badge.svg")
    assert svg.get("data-level") == "ok"
    texts = [t.text for t in svg.iter("{http://www.w3.org/2000/svg}text")]
    assert texts == ["Insta & <Gram>", "no problems"]
    assert client.get("/s/no-such-service/badge.svg").status_code == 404


def test_the_summary_has_every_service_and_the_open_incident(client, outage_in_germany):
    body = at_the_outage(client, "/api/v1/summary").json()
    assert body["status"] == {
        "indicator": "major",
        "description": "Problems detected with some services",
    }
    components = {c["id"]: c for c in body["components"]}
    assert components["tiktok"]["level"] == "outage"
    assert components["tiktok"]["indicator"] == "major"
    assert components["instagram"]["indicator"] == "none"
    assert components["tiktok"]["url"] == "http://testserver/s/tiktok/"
    (incident,) = body["incidents"]
    assert incident["id"] == outage_in_germany.id
    assert incident["api_url"] == (
        f"http://testserver/api/v1/incidents/{outage_in_germany.id}"
    )
    assert body["page"]["updated_at"] == status.current()["at"]


def test_a_false_alarm_is_named_in_the_feeds(client, outage_in_germany):
    Incident.objects.update(false_alarm=True)
    (entry,) = entries(at_the_outage(client, "/incidents.atom"))
    assert entry["title"].endswith("(a false alarm)")
    assert entry["summary"].startswith("Marked a false alarm by the operator: ")

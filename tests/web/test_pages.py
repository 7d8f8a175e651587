import re
from html import unescape

import time_machine
from django.utils.html import strip_tags

from outages.catalog import troubleshooting
from outages.models import Incident, Service
from tests.helpers.outage import MINUTE, NOW


def test_home_lists_the_catalog_by_category(client, catalog):
    response = client.get("/")
    assert response.status_code == 200
    assert b'href="/s/tiktok/"' in response.content
    assert "Social media" in response.text


def test_search_finds_a_service_by_its_alias(client, catalog):
    response = client.get("/", {"q": "twitter"})
    assert b'href="/s/x/"' in response.content
    assert b'href="/s/tiktok/"' not in response.content


def test_search_with_no_match_says_so(client, catalog):
    response = client.get("/", {"q": "no-such-service-anywhere"})
    assert response.status_code == 200
    assert "No service matches" in response.text


def test_text_postgresql_cannot_hold_is_no_database_outage(client, catalog):
    # A NUL reached the database and was answered as "the database is away".
    found = client.get("/", {"q": "tik\x00tok"})
    assert found.status_code == 200
    assert b'href="/s/tiktok/"' in found.content
    page = client.get("/s/tiktok/", {"reported": "log\x00in"})
    assert page.status_code == 200


def test_an_unknown_service_page_is_404(client, catalog):
    assert client.get("/s/no-such-service/").status_code == 404


def at_the_outage(client, url):
    with time_machine.travel(NOW + 2 * MINUTE, tick=False):
        return client.get(url)


def test_the_service_page_answers_is_it_down_since_when_and_where(
    client, outage_in_germany
):
    page = at_the_outage(client, "/s/tiktok/")
    text = page.text
    assert "Problems detected with TikTok" in text
    assert f'href="/incidents/{outage_in_germany.id}/"' in text
    answer = {"worldwide": "Yes: many more", "regional": "Not everywhere"}
    assert answer[outage_in_germany.scope] in text
    assert "Since Nov 24, 12:01 UTC" in strip_tags(text)
    # In UTC for a page without scripts; outages/local-times.js rewrites it.
    assert '<time datetime="2026-11-24T12:01:00+00:00" data-local="datetime"' in text
    assert "Germany (" in text
    # The most reported problem, and the chart's numbers for the script.
    assert page.context["shares"] == [
        {"slug": "login", "label": "Can't log in", "percent": 100.0}
    ]
    assert "100%" in text
    chart = page.context["chart"]
    # 24 hours of 15 minutes, from an aligned start to the current bucket.
    assert len(chart["t"]) == 97 and sum(chart["reporters"]) == 40
    assert 'id="chart-data"' in text
    assert 'data-service="tiktok"' in text  # its regional map


def test_the_incident_page_shows_timeline_places_and_symptoms(
    client, outage_in_germany
):
    page = at_the_outage(client, outage_in_germany.get_absolute_url())
    assert page.status_code == 200
    text = page.text
    assert "TikTok: problems since Nov 24, 12:01 UTC" in strip_tags(text)
    assert "Opened" in text and "Germany" in text
    assert [s["slug"] for s in page.context["shares"]] == ["login"]
    assert sum(page.context["chart"]["reporters"]) == 40
    # The surge's 40 people, each in a network and a block of their own.
    assert "reports came from 40 networks" in text
    assert "the largest block of addresses sent 2% of them" in text
    assert client.get("/incidents/999999/").status_code == 404


def test_the_home_page_draws_a_sparkline_of_the_last_day(client, outage_in_germany):
    text = at_the_outage(client, "/").text
    assert text.count('class="sparkline"') >= 200
    assert "at most 40 an hour" in text


def readable(html: str) -> str:
    """The page's text as a reader sees it, without tags or extra spaces."""
    return " ".join(unescape(strip_tags(html)).split())


def meta(html: str, key: str) -> str | None:
    """The content of a <meta name|property=key> tag."""
    found = re.search(rf'<meta (?:name|property)="{key}" content="([^"]*)"', html)
    return found and found.group(1)


def test_the_headline_names_the_places_of_a_regional_outage(client, outage_in_germany):
    Incident.objects.update(
        scope="regional",
        regions=[
            {"region": "DE", "observed": 30, "expected": 1},
            {"region": "US-CA", "observed": 10, "expected": 1},
        ],
    )
    text = readable(at_the_outage(client, "/s/tiktok/").text)
    assert "Problems detected with TikTok in Germany, California since" in text
    assert "DE," not in text and "US-CA" not in text


def test_a_shared_service_link_says_whether_it_is_down_and_where(
    client, outage_in_germany
):
    Incident.objects.update(scope="regional")
    html = at_the_outage(client, "/s/tiktok/").text
    assert "<title>Is TikTok down? · Outage Radar</title>" in html
    assert meta(html, "og:title") == "Is TikTok down?"
    description = meta(html, "og:description")
    observed = round(Incident.objects.get().observed)
    assert description.startswith(
        "Is TikTok down? Problems detected in Germany since 12:01 UTC:"
        f" {observed} people reported problems"
    )
    assert meta(html, "description") == description
    assert meta(html, "og:url") == "http://testserver/s/tiktok/"
    assert meta(html, "twitter:card") == "summary"

    incident = at_the_outage(client, outage_in_germany.get_absolute_url()).text
    assert meta(incident, "og:title") == "TikTok incident, Nov 24, 12:01 UTC"
    assert meta(incident, "og:description").startswith(
        "Problems with TikTok in Germany, ongoing for"
    )


def test_a_quiet_service_says_so_when_shared(client, detection_ran):
    html = client.get("/s/tiktok/").text
    assert meta(html, "og:description").startswith(
        "Is TikTok down? No problems detected right now."
    )


def test_when_detection_has_stopped_the_pages_say_they_cannot_tell(client, catalog):
    # No cycle has published a status (or it expired): never an all-clear.
    service = readable(client.get("/s/tiktok/").text)
    assert "We cannot tell right now whether TikTok has problems" in service
    assert "No problems detected" not in service
    home = readable(client.get("/").text)
    assert "The radar cannot tell right now" in home


def test_once_detection_runs_a_quiet_service_is_ok_again(client, detection_ran):
    service = readable(client.get("/s/tiktok/").text)
    assert "No problems detected with TikTok right now" in service
    assert "cannot tell" not in client.get("/").text


def test_the_site_name_comes_from_the_settings(client, catalog, settings):
    settings.SITE_NAME = "Radar Nord"
    html = client.get("/s/tiktok/").text
    assert "<title>Is TikTok down? · Radar Nord</title>" in html
    assert 'class="brand" href="/">Radar Nord</a>' in html
    assert meta(html, "og:site_name") == "Radar Nord"


def test_the_help_is_on_the_page_for_everyone_to_read(client, catalog):
    text = client.get("/s/tiktok/").text
    # Each symptom's description is text next to its button, which the
    # button points to, not a tooltip.
    assert 'aria-describedby="symptom-login"' in text
    assert 'id="symptom-login">Your password is rejected' in text
    assert "title=" not in text.split('id="report-form"')[1].split("</form>")[0]
    shown = readable(text)
    steps = troubleshooting.first_steps()
    assert len(steps) >= 5 and all(step in shown for step in steps)
    assert "Check your connection" in shown


def test_a_service_links_to_its_own_status_page_when_it_has_one(client, catalog):
    Service.objects.filter(slug="tiktok").update(
        status_page="https://status.example.com/"
    )
    text = client.get("/s/tiktok/").text
    assert '<a href="https://status.example.com/" rel="external noopener">' in text
    assert "Check TikTok's own status page" in readable(text)
    Service.objects.filter(slug="tiktok").update(status_page="")
    assert "own status page" not in client.get("/s/tiktok/").text


def test_a_false_alarm_says_so_on_its_pages(client, outage_in_germany):
    Incident.objects.update(
        state="resolved",
        resolved_at=NOW + MINUTE,
        false_alarm=True,
        note="A test campaign, confirmed by the provider.",
    )
    incident = readable(
        at_the_outage(client, outage_in_germany.get_absolute_url()).text
    )
    assert "Marked a false alarm by the radar's operator" in incident
    assert "confirmed by the provider" in incident
    service = readable(at_the_outage(client, "/s/tiktok/").text)
    assert "False alarm (A test campaign, confirmed by the provider.)" in service

import time_machine

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
    assert "Since Nov 24, 12:01 UTC" in text
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
    assert "TikTok: problems since Nov 24, 12:01 UTC" in text
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

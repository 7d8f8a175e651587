from outages.pipeline.bucketing import bucket_new_reports
from tests.helpers.intake import stored

GERMAN_ADDRESS = "81.169.145.1"


def test_the_service_page_offers_a_button_per_symptom(client, catalog):
    response = client.get("/s/tiktok/", REMOTE_ADDR=GERMAN_ADDRESS)
    assert response.status_code == 200
    assert "I have a problem with TikTok" in response.text
    assert 'name="symptom" value="login"' in response.text
    # The visitor's country is preselected from the address.
    assert '<option value="DE" selected>' in response.text


def test_the_form_works_without_javascript(client, catalog):
    response = client.post(
        "/s/tiktok/report",
        {"symptom": "login", "country": "DE", "subdivision": "DE-BY"},
    )
    assert response.status_code == 302
    assert response["Location"] == "/s/tiktok/?reported=login&region=DE-BY#result"
    # Shown before bucketing has counted the report (within seconds).
    page = client.get(response["Location"])
    assert "Thanks, your report was received" in page.text
    assert "No other reports from Germany in the last 15 minutes" in page.text
    assert "Can&#x27;t log in: things you can try" in page.text
    report = stored().get()
    assert (report.country_id, report.subdivision_id, report.source) == (
        "DE",
        "DE-BY",
        "web",
    )


def test_after_reporting_a_person_learns_how_many_others_nearby_report(client, catalog):
    for agent in ("A", "B", "C"):
        client.post(
            "/s/tiktok/report",
            {"symptom": "login", "country": "DE"},
            HTTP_USER_AGENT=agent,
        )
    bucket_new_reports()
    page = client.get("/s/tiktok/?reported=feed&region=DE")
    assert "3 people in Germany reported problems with TikTok" in page.text
    assert "Feed won&#x27;t refresh: things you can try" in page.text


def test_a_state_of_another_country_is_refused_with_a_message(client, catalog):
    response = client.post(
        "/s/tiktok/report",
        {"symptom": "login", "country": "DE", "subdivision": "US-CA"},
    )
    assert response.status_code == 400
    assert "Pick a state or region of the chosen country." in response.text
    assert not stored().exists()


def test_an_unknown_symptom_is_refused_with_a_message(client, catalog):
    response = client.post("/s/tiktok/report", {"symptom": "nope", "country": "DE"})
    assert response.status_code == 400
    assert "Select a valid choice" in response.text


def test_too_many_reports_from_the_form_get_a_429_page(client, catalog, settings):
    settings.REPORTS_PER_MINUTE = 1
    client.post("/s/tiktok/report", {"symptom": "login", "country": "DE"})
    response = client.post("/s/tiktok/report", {"symptom": "login", "country": "DE"})
    assert response.status_code == 429
    assert "Please wait" in response.text
    assert stored().count() == 1


def test_opening_the_forms_address_leads_to_the_form(client, catalog):
    response = client.get("/s/tiktok/report")
    assert response.status_code == 302
    assert response["Location"] == "/s/tiktok/#report-form"
    assert client.put("/s/tiktok/report").status_code == 405
    assert not stored().exists()


def test_reporting_an_unknown_service_is_404(client, catalog):
    response = client.post("/s/nope/report", {"symptom": "login", "country": "DE"})
    assert response.status_code == 404


def test_a_countrys_subdivisions_are_listed_for_the_form(client, catalog):
    body = client.get("/regions/us/subdivisions.json").json()
    assert {"code": "US-CA", "name": "California"} in body["subdivisions"]
    assert client.get("/regions/XX/subdivisions.json").status_code == 404
    # A subdivision is no country, nor its own list.
    assert client.get("/regions/US-CA/subdivisions.json").status_code == 404


def test_after_reporting_the_form_keeps_the_chosen_place(client, catalog):
    page = client.get("/s/tiktok/?reported=login&region=DE-BY")
    assert '<option value="DE" selected>' in page.text
    assert '<option value="DE-BY" selected>' in page.text


def test_a_full_intake_log_gets_a_503_page_that_keeps_the_form(
    client, catalog, settings
):
    settings.INTAKE_BACKLOG_MAX_ENTRIES = 1
    client.post("/s/tiktok/report", {"symptom": "login", "country": "DE"})
    response = client.post(
        "/s/tiktok/report", {"symptom": "feed", "country": "DE"}, HTTP_USER_AGENT="B"
    )
    assert response.status_code == 503
    assert int(response["Retry-After"]) > 0
    assert "Many reports are waiting to be counted" in response.text
    assert stored().count() == 1

from urllib.parse import parse_qs, urlsplit

from playwright.sync_api import expect

from outages.models import Symptom
from tests.helpers.browser import THIS_MACHINE, choose_place
from tests.helpers.intake import stored


def test_a_report_from_the_browser_is_stored_without_a_page_reload(
    site, page, artifacts
):
    page.goto(f"{site.url}/s/tiktok/")
    choose_place(page, "DE", "DE-BY")
    page.screenshot(path=artifacts / "service-page.png", full_page=True)
    # A reload would start a fresh window without the marker.
    page.evaluate("window.__marker = 1")

    page.get_by_role("button", name="Can't log in").click()

    result = page.locator("#result")
    expect(result).to_contain_text("Thanks, your report was received")
    expect(result).to_contain_text("No other reports from Germany")
    expect(result).to_contain_text("Can't log in: things you can try")
    for step in Symptom.objects.get(slug="login").steps:
        expect(result.locator("ol.steps")).to_contain_text(step)
    assert page.evaluate("window.__marker") == 1
    query = parse_qs(urlsplit(page.url).query)
    assert query == {"reported": ["login"], "region": ["DE-BY"]}
    page.screenshot(path=artifacts / "service-page-reported.png", full_page=True)

    report = stored().get()
    assert (
        report.service.slug,
        report.symptom.slug,
        report.country_id,
        report.subdivision_id,
        report.source,
    ) == ("tiktok", "login", "DE", "DE-BY", "web")


def test_the_report_form_works_with_javascript_disabled(
    site, page_without_javascript, artifacts
):
    page = page_without_javascript
    page.goto(f"{site.url}/s/tiktok/")
    page.get_by_label("Country").select_option("DE")

    with page.expect_request("**/s/tiktok/report") as posted:
        page.get_by_role("button", name="Can't log in").click()

    # A plain form post that navigates, then the redirect to the answer.
    assert posted.value.is_navigation_request()
    assert posted.value.method == "POST"
    expect(page).to_have_url(f"{site.url}/s/tiktok/?reported=login&region=DE#result")
    result = page.locator("#result")
    expect(result).to_contain_text("Thanks, your report was received")
    expect(result).to_contain_text("Can't log in: things you can try")
    page.screenshot(
        path=artifacts / "service-page-reported-without-javascript.png",
        full_page=True,
    )

    report = stored().get()
    assert (report.country_id, report.subdivision_id, report.source) == (
        "DE",
        None,
        "web",
    )


def test_when_the_scripts_request_fails_the_plain_post_keeps_the_symptom(site, page):
    # The script's fetch dies on the way (as on a flaky phone connection);
    # the form post the browser makes next goes through.
    failed = []

    def cut_fetch(route):
        if route.request.resource_type == "fetch":
            failed.append(route.request.url)
            route.abort("connectionreset")
        else:
            route.continue_()

    page.route("**/s/tiktok/report", cut_fetch)
    page.goto(f"{site.url}/s/tiktok/")
    page.get_by_label("Country").select_option("DE")

    with page.expect_navigation():
        page.get_by_role("button", name="Slow loading").click()

    assert failed == [f"{site.url}/s/tiktok/report"]
    expect(page).to_have_url(
        f"{site.url}/s/tiktok/?reported=slow-loading&region=DE#result"
    )
    expect(page.locator("#result")).to_contain_text("Slow loading: things you can try")
    report = stored().get()
    assert (report.symptom.slug, report.country_id) == ("slow-loading", "DE")


def test_the_page_makes_no_request_outside_this_machine(site, page):
    urls = []
    page.on("request", lambda request: urls.append(request.url))

    page.goto(f"{site.url}/s/tiktok/")
    choose_place(page, "DE", "DE-BY")
    page.get_by_role("button", name="Can't log in").click()
    expect(page.locator("#result")).to_contain_text("Thanks")

    paths = {urlsplit(url).path for url in urls}
    assert {"/s/tiktok/", "/regions/DE/subdivisions.json", "/s/tiktok/report"} <= paths
    outside = [url for url in urls if urlsplit(url).hostname not in THIS_MACHINE]
    assert outside == []
    assert stored().count() == 1


def test_the_service_page_loads_its_stylesheet_and_script(site, page):
    statuses = {}
    page.on("response", lambda r: statuses.update({urlsplit(r.url).path: r.status}))

    page.goto(f"{site.url}/s/tiktok/")

    assert statuses.get("/static/outages/site.css") == 200
    assert statuses.get("/static/outages/report.js") == 200
    # The stylesheet applies: symptom buttons are white, not the browser's grey.
    button = page.get_by_role("button", name="Can't log in")
    color = button.evaluate("b => getComputedStyle(b).backgroundColor")
    assert color == "rgb(255, 255, 255)"

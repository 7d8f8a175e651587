"""The pages as a visitor sees them, in headless Chromium, after real cycles."""

import re
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from playwright.sync_api import expect

from outages.pipeline.bucketing import bucket_new_reports
from tests.helpers.browser import PHONE, THIS_MACHINE, choose_place


def visitor(browser, name):
    context = browser.new_context(**PHONE, user_agent=f"Mozilla/5.0 ({name})")
    context.set_default_timeout(10_000)
    return context, context.new_page()


def report_login_problem(site, page):
    page.goto(f"{site.url}/s/tiktok/")
    choose_place(page, "DE", "DE-BY")
    page.get_by_role("button", name="Can't log in").click()
    return page.locator("#result")


def test_a_report_moves_the_count_the_next_person_sees(site, browser, artifacts):
    first_context, first = visitor(browser, "first")
    second_context, second = visitor(browser, "second")
    try:
        expect(report_login_problem(site, first)).to_contain_text(
            "No other reports from Germany"
        )
        expect(first.locator(".chart-section")).to_contain_text(
            "No reports in the last 24 hours"
        )
        bucket_new_reports()

        expect(report_login_problem(site, second)).to_contain_text(
            "1 person in Germany reported problems with TikTok in the last 15 minutes"
        )
        bucket_new_reports()
        second.reload()
        expect(second.locator(".chart-section")).to_contain_text(
            "Most reports: 2 people"
        )
        expect(second.locator("#chart canvas").first).to_be_visible()
        second.screenshot(path=artifacts / "service-page-counted.png", full_page=True)
    finally:
        first_context.close()
        second_context.close()


def test_after_an_outage_the_pages_show_the_incident(site, page, outage, artifacts):
    urls = []
    page.on("request", lambda request: urls.append(request.url))

    page.goto(f"{site.url}/")
    troubled = page.locator("section.troubled")
    expect(troubled).to_contain_text("TikTok")
    expect(troubled.locator(".sparkline")).to_have_count(1)
    page.screenshot(path=artifacts / "home.png")

    troubled.get_by_role("link", name="TikTok").click()
    expect(page.locator("section.status")).to_contain_text(
        "Problems detected with TikTok"
    )
    expect(page.locator(".answers")).to_contain_text("Germany (")
    expect(page.locator(".shares")).to_contain_text("100%")
    expect(page.locator("#chart canvas").first).to_be_visible()
    page.screenshot(path=artifacts / "service-page-outage.png", full_page=True)

    page.get_by_role("link", name="Incident details").click()
    expect(page).to_have_url(f"{site.url}/incidents/{outage.id}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("TikTok: problems")
    expect(page.locator("table.places")).to_contain_text("Germany")
    expect(page.locator("ol.timeline")).to_contain_text("Opened")
    page.screenshot(path=artifacts / "incident.png", full_page=True)

    outside = [url for url in urls if urlsplit(url).hostname not in THIS_MACHINE]
    assert outside == []


def test_the_api_reference_renders_from_local_files(site, page, artifacts):
    urls = []
    page.on("request", lambda request: urls.append(request.url))
    page.goto(f"{site.url}/api/docs/")
    expect(page.get_by_text("/api/v1/services/{slug}/series").first).to_be_visible()
    page.screenshot(path=artifacts / "api-docs.png")
    outside = [url for url in urls if urlsplit(url).hostname not in THIS_MACHINE]
    assert outside == []


def test_times_are_shown_in_the_readers_own_zone(site, browser, outage):
    context = browser.new_context(
        **PHONE, timezone_id="America/New_York", locale="en-US"
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    try:
        opened = outage.opened_at
        local = opened.astimezone(ZoneInfo("America/New_York"))
        page.goto(f"{site.url}/s/tiktok/")
        since = page.locator("section.status time")
        expect(since).to_have_text(re.compile(rf"^{local:%I:%M} [AP]M EST$"))
        expect(since).to_have_attribute("title", f"{opened:%H:%M} UTC")

        page.goto(f"{site.url}/incidents/{outage.id}/")
        heading = page.get_by_role("heading", level=1)
        expect(heading).to_contain_text(f"{local:%b} {local.day}, {local:%I:%M}")
        expect(heading).not_to_contain_text("UTC")
        expect(page.locator("ol.timeline time").first).to_contain_text("EST")
    finally:
        context.close()


def test_a_service_page_tells_link_previews_what_is_happening(site, page, outage):
    page.goto(f"{site.url}/s/tiktok/")
    head = page.locator("head")
    expect(head.locator('meta[property="og:title"]')).to_have_attribute(
        "content", "Is TikTok down?"
    )
    expect(head.locator('meta[property="og:description"]')).to_have_attribute(
        "content", re.compile(r"^Is TikTok down\? Problems detected .*since \d\d:\d\d")
    )
    expect(head.locator('meta[name="twitter:card"]')).to_have_attribute(
        "content", "summary"
    )
    icon = head.locator('link[rel="icon"]').get_attribute("href")
    assert page.request.get(f"{site.url}{icon}").ok

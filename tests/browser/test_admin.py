"""The operator's admin in headless Chromium: calling an incident a false
alarm, and browsing reports without seeing who sent them."""

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from outages.models import Incident
from reports.models import Report

PASSWORD = "correct horse battery staple"


@pytest.fixture
def operator(site, page):
    """A superuser, logged in through the admin's own form, on a desktop."""
    get_user_model().objects.create_superuser("operator", "op@example.com", PASSWORD)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{site.url}/admin/")
    page.get_by_label("Username").fill("operator")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Site administration")).to_be_visible()
    return page


def test_an_operator_marks_an_incident_a_false_alarm(site, outage, operator):
    page = operator
    assert outage.state == Incident.State.ONGOING
    page.goto(f"{site.url}/admin/outages/incident/")
    row = page.locator("#result_list tbody tr", has_text="TikTok")
    expect(row).to_have_count(1)
    row.locator("input[name=_selected_action]").check()
    page.locator("select[name=action]").select_option(label="Mark as false alarm")
    page.get_by_role("button", name="Go").click()
    expect(page.locator(".messagelist")).to_contain_text(
        "1 incident marked as a false alarm."
    )

    answer = page.request.get(f"{site.url}/api/v1/incidents/{outage.pk}").json()
    assert answer["false_alarm"] is True
    assert answer["state"] == "resolved"
    outage.refresh_from_db()
    assert outage.false_alarm and outage.resolved_at is not None


def test_the_report_admin_never_shows_who_sent_a_report(site, outage, operator):
    page = operator
    report = Report.objects.filter(service__slug="tiktok").first()
    assert report.reporter and report.network and report.block
    hashes = [report.reporter, report.network, report.block]

    page.goto(f"{site.url}/admin/reports/report/")
    expect(page.locator("#result_list")).to_contain_text("TikTok")
    listing = page.content()
    page.goto(f"{site.url}/admin/reports/report/{report.pk}/change/")
    expect(page.locator("#content")).to_contain_text("Can't log in")
    details = page.content()
    for value in hashes:
        assert value not in listing and value not in details
    # Reports are written by intake alone.
    expect(page.locator("input[name=_save]")).to_have_count(0)

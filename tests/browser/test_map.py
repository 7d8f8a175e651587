"""The outage map in a real Chromium, after a real outage went through intake,
bucketing and detection."""

import re
from urllib.parse import urlsplit

import pytest
import time_machine
from playwright.sync_api import expect

from outages.models import DetectorState, Service
from outages.pipeline import shards, state
from outages.pipeline.bucketing import bucket_new_reports
from outages.pipeline.cycle import detect_new_minutes
from outages.pipeline.history import learn_history
from outages.web.places import elevated_places
from tests.helpers.browser import THIS_MACHINE
from tests.helpers.history import quiet_history
from tests.helpers.outage import MINUTE, NOW, surge

DESKTOP = {"viewport": {"width": 1280, "height": 900}}
# Normal reports per minute where the outage will strike.
NORMAL = {"": 4.0, "DE": 1.0, "US": 1.0, "US-CA": 0.3}
LAST_QUIET_MINUTE = NOW.replace(second=0) - MINUTE
_learned = []


def teach_quiet_weeks(service):
    """Two quiet weeks of the service, as `learn_history` teaches them.

    Learning is the slow part and its result depends only on the counts, so
    it runs once for the module; later tests get the same arrays under this
    test's service id.
    """
    if not _learned:
        keys, counts = quiet_history(service.id, NORMAL)
        learn_history(keys, counts, last=LAST_QUIET_MINUTE)
        _learned.append(state.saved(shards.of(service.id))[1])
        return
    keys = [(service.id, region) for region in NORMAL]
    for shard in range(shards.count()):
        # The other shards have judged the same minutes, with no series.
        mine = shard == shards.of(service.id)
        DetectorState.objects.update_or_create(
            shard=shard,
            defaults={
                "arrays": state.pack(keys, _learned[0]) if mine else b"",
                "shards": shards.count(),
                "minute": LAST_QUIET_MINUTE,
            },
        )


def cause_outage(client):
    """40 people in Germany and 40 in California cannot log in to TikTok,
    and the worker buckets and judges the next two minutes (a surge that
    large opens at once: docs/detection.md)."""
    with time_machine.travel(NOW, tick=False):
        surge(client, 40, region="DE")
        surge(client, 40, region="US-CA", start=40)
    for minutes in (1, 2):
        with time_machine.travel(NOW + minutes * MINUTE, tick=False):
            bucket_new_reports()
            detect_new_minutes()


@pytest.fixture
def tiktok(site):
    tiktok = Service.objects.get(slug="tiktok")
    teach_quiet_weeks(tiktok)
    return tiktok


@pytest.fixture
def outage(tiktok, client):
    cause_outage(client)
    return {r["code"]: r for r in elevated_places()["regions"]}


@pytest.fixture
def desktop(browser):
    context = browser.new_context(**DESKTOP)
    context.set_default_timeout(10_000)
    yield context.new_page()
    context.close()


def shown(number):
    """A count as the map writes it: at most one decimal."""
    return f"{round(number, 1):g}"


def region(page, code):
    return page.locator(f".outage-map path[data-region='{code}']")


def test_the_map_shades_the_outage_and_lists_its_services(
    site, outage, desktop, artifacts
):
    page = desktop
    requests = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(f"{site.url}/map/")

    germany = region(page, "DE")
    expect(germany).to_have_attribute("data-level", "outage")
    fill = germany.evaluate("path => getComputedStyle(path).fill")
    land = region(page, "FR").evaluate("path => getComputedStyle(path).fill")
    assert fill != land
    # California is shaded on its own, over the United States.
    expect(region(page, "US-CA")).to_have_attribute("data-level", "outage")
    expect(region(page, "PL")).to_have_attribute("data-level", "none")

    germany.hover()
    tip = page.locator(".leaflet-tooltip", has_text="Germany")
    de = outage["DE"]
    expect(tip).to_contain_text(
        f"{shown(de['observed'])} reports vs {shown(de['expected'])} expected"
    )

    germany.click()
    panel = page.locator(".map-panel")
    expect(panel.get_by_role("heading")).to_have_text("Germany")
    link = panel.get_by_role("link", name="TikTok")
    expect(link).to_have_attribute("href", f"{site.url}/s/tiktok/")
    expect(panel).to_contain_text("Problems")
    page.screenshot(path=artifacts / "map.png", full_page=True)

    paths = {urlsplit(url).path for url in requests}
    assert {
        "/map/",
        "/map/codes.json",
        "/static/vendor/leaflet/leaflet.js",
        "/static/vendor/world-atlas/countries-50m.json",
        "/static/vendor/us-atlas/states-10m.json",
    } <= paths
    outside = [url for url in requests if urlsplit(url).hostname not in THIS_MACHINE]
    assert outside == []


def test_a_keyboard_reaches_a_shaded_country_and_opens_its_services(
    site, outage, desktop
):
    page = desktop
    page.goto(f"{site.url}/map/")
    expect(region(page, "DE")).to_have_attribute("data-level", "outage")

    page.locator(".map-canvas").focus()
    for _ in range(len(outage) + 1):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.dataset.region") == "DE":
            break
    expect(region(page, "DE")).to_be_focused()
    expect(page.locator(".leaflet-tooltip", has_text="Germany")).to_be_visible()
    # Countries that are fine are not in the Tab order.
    assert region(page, "FR").get_attribute("tabindex") == "-1"

    page.keyboard.press("Enter")
    heading = page.locator(".map-panel h2")
    expect(heading).to_be_focused()
    expect(heading).to_have_text("Germany")
    page.keyboard.press("Escape")
    expect(region(page, "DE")).to_be_focused()


def test_shapes_across_the_antimeridian_are_cut_not_streaked(site, desktop):
    """Chukotka and Fiji lie on both sides of 180°: each side is drawn at
    its edge of the map, and no edge of a shape runs across the map."""
    page = desktop
    page.goto(f"{site.url}/map/")
    expect(region(page, "FJ")).to_be_attached()

    extents = page.evaluate(
        """() => Object.fromEntries(
          [...document.querySelectorAll('.outage-map path.region')].map(path => {
            let west = Infinity, east = -Infinity, jump = 0;
            for (const ring of path.getAttribute('d').split('M').slice(1)) {
              const points = ring.replace(/z/gi, '').split('L')
                .map(p => p.trim().split(/[ ,]+/).map(Number));
              points.forEach(([x], i) => {
                west = Math.min(west, x);
                east = Math.max(east, x);
                if (i) jump = Math.max(jump, Math.abs(x - points[i - 1][0]));
              });
            }
            return [path.dataset.region || '', {west, east, jump}];
          }))"""
    )
    west = min(e["west"] for e in extents.values())
    east = max(e["east"] for e in extents.values())
    width = east - west
    for code in ("RU", "FJ", "US"):
        assert extents[code]["jump"] < width / 4, code
        assert extents[code]["west"] - west < width / 50, code
        assert east - extents[code]["east"] < width / 50, code
    assert max(e["jump"] for e in extents.values()) < width / 4


def test_the_map_follows_an_outage_without_a_reload(site, tiktok, client, desktop):
    page = desktop
    page.clock.install()
    page.goto(f"{site.url}/map/")
    expect(region(page, "DE")).to_have_attribute("data-level", "none")
    expect(page.locator("[data-map-summary]")).to_have_text(
        "No region has more reports than normal right now."
    )
    page.evaluate("window.__marker = 1")

    cause_outage(client)
    page.clock.run_for(31_000)

    expect(region(page, "DE")).to_have_attribute("data-level", "outage")
    row = page.locator("tr[data-region='DE']")
    expect(row).to_contain_text("Germany")
    expect(row.get_by_role("link", name="TikTok")).to_be_visible()
    assert page.evaluate("window.__marker") == 1


def test_the_map_on_a_phone_opens_a_region_by_touch(site, outage, page, artifacts):
    page.goto(f"{site.url}/map/")
    germany = region(page, "DE")
    expect(germany).to_have_attribute("data-level", "outage")

    germany.tap()

    panel = page.locator(".map-panel")
    expect(panel.get_by_role("heading")).to_have_text("Germany")
    expect(panel.get_by_role("link", name="TikTok")).to_be_in_viewport()
    # The whole world fits the screen's width.
    box = page.locator(".map-canvas").bounding_box()
    assert box["width"] <= 390
    page.screenshot(path=artifacts / "map-phone.png", full_page=True)


def test_without_javascript_the_map_page_is_a_list_of_regions(
    site, outage, page_without_javascript
):
    page = page_without_javascript
    page.goto(f"{site.url}/map/")

    expect(page.locator(".outage-map")).to_be_hidden()
    row = page.get_by_role("row", name=re.compile("Germany"))
    expect(row).to_contain_text(f"{shown(outage['DE']['observed'])} vs")
    expect(row.get_by_role("link", name="TikTok")).to_have_attribute(
        "href", "/s/tiktok/"
    )
    expect(page.get_by_role("row", name=re.compile("California"))).to_be_visible()


def test_the_service_page_maps_where_that_service_has_problems(site, outage, page):
    page.goto(f"{site.url}/s/tiktok/")

    germany = region(page, "DE")
    expect(germany).to_have_attribute("data-level", "outage")
    expect(region(page, "US-CA")).to_have_attribute("data-level", "outage")
    page.locator(".map-list summary").click()
    expect(page.locator(".map-list tr[data-region='DE']")).to_contain_text("Problems")

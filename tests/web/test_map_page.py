"""The outage map page and the codes its script draws with."""

import json
from pathlib import Path

import time_machine
from django.conf import settings
from django.templatetags.static import static

from tests.helpers.outage import MINUTE, NOW, surge

WORLD_ATLAS = Path(settings.NODE_MODULES) / "world-atlas" / "countries-50m.json"
US_ATLAS = Path(settings.NODE_MODULES) / "us-atlas" / "states-10m.json"
# Shapes world-atlas draws without an ISO number or code of our catalog.
UNCODED = {"Kosovo", "Indian Ocean Ter.", "Siachen Glacier"}


def test_the_map_lists_an_elevated_country_and_its_services_without_javascript(
    client, outage_in_germany
):
    response = client.get("/map/")

    assert response.status_code == 200
    rows = response.text.split("<tbody data-map-rows>")[1].split("</tbody>")[0]
    assert '<tr data-region="DE">' in rows
    assert '<th scope="row">Germany</th>' in rows
    assert '<a href="/s/tiktok/">TikTok</a>' in rows
    assert "Problems in 1 region." in response.text
    # The script draws the same answer at once, without waiting for a poll.
    initial = json.loads(
        response.text.split('<script id="map-data" type="application/json">')[1].split(
            "</script>"
        )[0]
    )
    assert [r["code"] for r in initial["regions"]] == ["DE"]
    assert initial == client.get("/api/v1/map").json()


def test_the_map_says_so_when_no_region_is_elevated(client, catalog):
    response = client.get("/map/")

    assert response.status_code == 200
    assert "No region has more reports than normal right now." in response.text
    assert "No detection has run lately." in response.text
    assert "<tr data-region" not in response.text


def test_a_region_back_to_normal_leaves_the_list(client, tiktok_with_history, cycle_at):
    with time_machine.travel(NOW, tick=False):
        surge(client, 40, region="DE")
    cycle_at(NOW + MINUTE)
    assert '<tr data-region="DE">' in client.get("/map/").text

    cycle_at(NOW + 40 * MINUTE)
    assert '<tr data-region="DE">' not in client.get("/map/").text


def test_the_map_loads_leaflet_and_the_atlases_from_this_site(client, catalog):
    html = client.get("/map/").text

    for name in (
        "vendor/leaflet/leaflet.js",
        "vendor/leaflet/leaflet.css",
        "vendor/topojson-client/topojson-client.min.js",
        "vendor/world-atlas/countries-50m.json",
        "vendor/us-atlas/states-10m.json",
        "outages/map.js",
    ):
        assert f'"{static(name)}"' in html, name
    assert 'data-source="/api/v1/map"' in html
    assert "https://" not in html


def test_the_service_page_draws_the_map_of_that_service(client, catalog):
    html = client.get("/s/tiktok/").text

    assert 'data-service="tiktok"' in html
    assert 'data-source="/api/v1/services/tiktok/regions"' in html


def test_codes_map_atlas_numbers_and_state_names_to_region_codes(client, db):
    response = client.get("/map/codes.json")

    assert response.status_code == 200
    assert "max-age=86400" in response["Cache-Control"]
    codes = response.json()
    assert codes["countries"]["276"] == "DE"
    assert codes["countries"]["840"] == "US"
    assert codes["countries"]["242"] == "FJ"
    assert codes["states"]["California"] == "US-CA"
    assert codes["states"]["District of Columbia"] == "US-DC"
    assert codes["unnumbered"]["Somaliland"] == "SO"
    assert codes["names"]["DE"] == "Germany"
    assert codes["names"]["US-CA"] == "California"
    # Territories are countries of their own in ISO 3166-1 and world-atlas.
    assert "Puerto Rico" not in codes["states"]
    assert codes["countries"]["630"] == "PR"


def test_every_shape_of_the_installed_atlases_has_a_region_code(client, db):
    codes = client.get("/map/codes.json").json()
    world = json.loads(WORLD_ATLAS.read_text())
    states = json.loads(US_ATLAS.read_text())

    uncoded = {
        shape["properties"]["name"]
        for shape in world["objects"]["countries"]["geometries"]
        if shape.get("id") not in codes["countries"]
        and shape["properties"]["name"] not in codes["unnumbered"]
    }
    assert uncoded == UNCODED
    drawn = {
        codes["states"][shape["properties"]["name"]]
        for shape in states["objects"]["states"]["geometries"]
        if shape["properties"]["name"] in codes["states"]
    }
    assert len(drawn) == 51  # fifty states and the District of Columbia

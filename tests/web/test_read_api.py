"""The read API against real PostgreSQL and Redis, after a real detection cycle."""

import base64
import json

import pytest
import time_machine

from config import redis
from outages.catalog import lookup
from outages.models import Incident, Service
from outages.pipeline import shards, status
from tests.helpers.outage import MINUTE, NOW


def get(client, url, **params):
    with time_machine.travel(NOW + 2 * MINUTE, tick=False):
        response = client.get(url, params)
    return response


def test_services_in_trouble_come_first_with_their_level(client, outage_in_germany):
    body = get(client, "/api/v1/services", limit=5).json()
    assert body["count"] >= 200
    first = body["results"][0]
    assert first["slug"] == "tiktok" and first["level"] == "outage"
    assert first["page"] == "http://testserver/s/tiktok/"
    assert {s["level"] for s in body["results"][1:]} == {"ok"}

    found = get(client, "/api/v1/services", q="tik", category="social").json()
    assert [s["slug"] for s in found["results"]] == ["tiktok"]
    troubled = get(client, "/api/v1/services", level="outage").json()
    assert [s["slug"] for s in troubled["results"]] == ["tiktok"]


def test_status_says_outage_with_the_open_incident_and_where(client, outage_in_germany):
    body = get(client, "/api/v1/services/tiktok/status").json()
    assert body["level"] == "outage"
    assert body["window_minutes"] == 15
    assert body["incident"]["id"] == outage_in_germany.id
    assert body["incident"]["symptoms"]["login"] == 100.0
    germany = next(r for r in body["regions"] if r["code"] == "DE")
    assert germany["name"] == "Germany" and germany["level"] == "outage"
    assert germany["observed"] >= 40 and germany["ratio"] > 3

    quiet = get(client, "/api/v1/services/gmail/status").json()
    assert quiet["level"] == "ok" and quiet["incident"] is None

    detail = get(client, "/api/v1/services/tiktok").json()
    assert detail["name"] == "TikTok" and detail["level"] == "outage"


def test_regions_and_map_show_the_affected_country(client, outage_in_germany):
    regions = get(client, "/api/v1/services/tiktok/regions").json()
    assert regions["service"] == "tiktok" and regions["at"]
    assert regions["regions"][0]["code"] == "DE"
    assert regions["regions"][0]["level"] == "outage"

    elevated = get(client, "/api/v1/map").json()["regions"]
    assert [r["code"] for r in elevated] == ["DE"]
    assert elevated[0]["kind"] == "country"
    assert [s["slug"] for s in elevated[0]["services"]] == ["tiktok"]
    assert elevated[0]["services"][0]["url"] == "http://testserver/s/tiktok/"


def test_incidents_filter_by_service_region_state_and_time(client, outage_in_germany):
    def ids(**params):
        body = get(client, "/api/v1/incidents", **params).json()
        return [i["id"] for i in body["results"]]

    mine = [outage_in_germany.id]
    assert ids() == mine
    assert ids(service="tiktok", region="de", state="ongoing") == mine
    assert ids(service="gmail") == ids(region="FR") == ids(state="resolved") == []
    assert ids(since=(NOW - 60 * MINUTE).isoformat()) == mine
    assert ids(until=(NOW - 60 * MINUTE).isoformat()) == []

    detail = get(client, f"/api/v1/incidents/{outage_in_germany.id}").json()
    assert detail["service"] == "tiktok" and detail["state"] == "ongoing"
    assert detail["page"] == f"http://testserver/incidents/{outage_in_germany.id}/"
    assert detail["url"] == (
        f"http://testserver/api/v1/incidents/{outage_in_germany.id}"
    )
    assert detail["updates"][0]["kind"] == "opened"
    assert "DE" in {r["region"] for r in detail["regions"]}


def test_series_counts_reporters_per_bucket_against_the_expected_band(
    client, outage_in_germany
):
    body = get(
        client,
        "/api/v1/services/tiktok/series",
        resolution="1m",
        region="DE",
        start=(NOW - 10 * MINUTE).isoformat(),
        end=(NOW + 2 * MINUTE).isoformat(),
    ).json()
    assert body["resolution"] == "1m" and body["region"] == "DE"
    points = body["points"]
    assert len(points) == 13
    surge_minute = points[10]
    assert surge_minute["at"].startswith("2026-11-24T12:00:00")
    assert surge_minute["reporters"] == surge_minute["reports"] == 40
    # Germany's normal is about one report a minute.
    assert 0.3 < surge_minute["expected"] < 3
    assert surge_minute["low"] <= surge_minute["expected"] <= surge_minute["high"]
    assert surge_minute["reporters"] > surge_minute["high"]
    assert all(p["reporters"] == 0 for p in points[:10])

    hourly = get(
        client, "/api/v1/services/tiktok/series", resolution="1h", symptom="login"
    ).json()
    assert len(hourly["points"]) == 25  # the last 24 hours, aligned to hours
    assert sum(p["reporters"] for p in hourly["points"]) == 40
    assert hourly["points"][-1]["expected"] is None  # per symptom: no baseline


@pytest.mark.parametrize(
    ("url", "params", "field", "message"),
    [
        (
            "/api/v1/services/tiktok/series",
            {"resolution": "2m"},
            "resolution",
            "not a valid choice",
        ),
        (
            "/api/v1/services/tiktok/series",
            {"region": "XX"},
            "region",
            "Unknown region",
        ),
        (
            "/api/v1/services/tiktok/series",
            {"symptom": "nope"},
            "symptom",
            "Unknown symptom",
        ),
        (
            "/api/v1/services/tiktok/series",
            {"start": "yesterday"},
            "start",
            "Datetime has wrong format",
        ),
        (
            "/api/v1/services/tiktok/series",
            {"start": "2026-11-24T12:00:00Z", "end": "2026-11-24T11:00:00Z"},
            "start",
            "Must be before end",
        ),
        (
            "/api/v1/services/tiktok/series",
            {"resolution": "1m", "start": "2026-11-01T00:00:00Z"},
            "start",
            "at most 2000",
        ),
        ("/api/v1/incidents", {"state": "bogus"}, "state", "valid choice"),
        ("/api/v1/incidents", {"region": "ZZ"}, "region", "Unknown region"),
        ("/api/v1/incidents", {"since": "soon"}, "since", "valid date"),
        ("/api/v1/services", {"category": "nope"}, "category", "valid choice"),
    ],
)
def test_bad_queries_get_400_naming_the_parameter(
    client, catalog, url, params, field, message
):
    response = client.get(url, params)
    assert response.status_code == 400
    assert message in " ".join(response.json()[field])


def test_unknown_things_are_404_with_a_message(client, catalog):
    for url in (
        "/api/v1/services/no-such-service",
        "/api/v1/services/no-such-service/series",
        "/api/v1/incidents/999999",
    ):
        response = client.get(url)
        assert response.status_code == 404
        assert response.json()["detail"]


def test_answers_are_served_from_memory_for_a_few_seconds(client, catalog):
    assert get(client, "/api/v1/map").json()["regions"] == []
    published = {"at": NOW.isoformat(), "services": {}}
    for shard in range(shards.count()):
        redis.client().set(status.part_keys(shard)[0], json.dumps(published))
    body = get(client, "/api/v1/map").json()
    assert body["at"] is None  # still the first answer
    assert "max-age=" in get(client, "/api/v1/map")["Cache-Control"]


def test_the_schema_documents_every_endpoint_and_the_docs_are_local(client, db):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    paths = set(schema["paths"])
    assert {
        "/api/v1/reports",
        "/api/v1/reports/batch",
        "/api/v1/services",
        "/api/v1/services/{slug}",
        "/api/v1/services/{slug}/status",
        "/api/v1/services/{slug}/series",
        "/api/v1/services/{slug}/regions",
        "/api/v1/incidents",
        "/api/v1/incidents/{id}",
        "/api/v1/map",
    } <= paths
    series = schema["paths"]["/api/v1/services/{slug}/series"]["get"]
    assert {"200", "400", "404"} <= set(series["responses"])
    for page in ("/api/docs/", "/api/redoc/"):
        html = client.get(page).text
        assert "/static/drf_spectacular_sidecar/" in html
        assert "https://" not in html.replace("https://github.com", "")
        assert client.options(page).status_code == 405


def test_the_schema_lists_the_catalog_the_api_takes(client, catalog):
    Service.objects.filter(slug="instagram").update(active=False)
    lookup.forget()
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    enums = {name: s.get("enum") for name, s in schema["components"]["schemas"].items()}
    assert "tiktok" in enums["ServiceSlug"] and "instagram" not in enums["ServiceSlug"]
    assert "login" in enums["SymptomSlug"]
    # Countries and first-level subdivisions, where reports are counted.
    assert {"DE", "US", "US-CA", "DE-BY"} <= set(enums["Region"])
    assert "FR-75C" not in enums["Region"]
    body = schema["components"]["schemas"]["ReportInRequest"]["properties"]
    assert body["service"]["allOf"] == [{"$ref": "#/components/schemas/ServiceSlug"}]
    incidents = schema["paths"]["/api/v1/incidents"]["get"]["parameters"]
    (region,) = [p for p in incidents if p["name"] == "region"]
    assert {"enum": ["worldwide"], "type": "string"} in region["schema"]["anyOf"]


def test_an_empty_parameter_counts_as_left_out(client, catalog):
    everything = client.get("/api/v1/services", {"limit": 500}).json()
    blank = client.get("/api/v1/services", {"limit": 500, "q": "", "level": ""})
    assert blank.status_code == 200
    assert blank.json()["count"] == everything["count"] >= 200
    assert client.get("/api/v1/incidents?service=").status_code == 200


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/services/tiktok/nothing-here",
        "/api/v1/nope",
        "/api/v2/services",
        "/api/v1/services/%E2%98%83/x%00y",
    ],
)
def test_every_unknown_path_under_the_api_answers_json(client, catalog, path):
    response = client.get(path)
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert "No API endpoint" in response.json()["detail"]


def test_read_answers_carry_an_etag_and_a_client_that_has_it_gets_304(client, catalog):
    first = client.get("/api/v1/services/tiktok")
    assert first.status_code == 200 and first["ETag"]
    again = client.get("/api/v1/services/tiktok", HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304 and again.content == b""
    other = client.get("/api/v1/services/gmail", HTTP_IF_NONE_MATCH=first["ETag"])
    assert other.status_code == 200


def test_the_read_api_is_readable_from_any_origin_but_not_the_write_api(
    client, catalog
):
    origin = {"HTTP_ORIGIN": "https://dashboard.example"}
    read = client.get("/api/v1/services/tiktok", **origin)
    assert read["Access-Control-Allow-Origin"] == "*"
    assert "ETag" in read["Access-Control-Expose-Headers"]
    preflight = client.options(
        "/api/v1/incidents", HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET", **origin
    )
    assert preflight.status_code == 200
    assert "GET" in preflight["Access-Control-Allow-Methods"]
    write = client.post(
        "/api/v1/reports",
        {"service": "tiktok", "symptom": "login"},
        content_type="application/json",
        **origin,
    )
    assert write.status_code == 201
    assert "Access-Control-Allow-Origin" not in write


def test_when_detection_has_stopped_every_level_is_unknown(client, outage_in_germany):
    # The status expires when no cycle renews it; one shard's stopping is
    # enough, as any service may be one of its.
    stopped = (shards.of(outage_in_germany.service_id) + 1) % shards.count()
    redis.client().delete(status.part_keys(stopped)[0])
    body = get(client, "/api/v1/services/tiktok/status").json()
    assert body["level"] == "unknown" and body["at"] is None
    listed = get(client, "/api/v1/services", limit=500).json()["results"]
    assert {s["level"] for s in listed} == {"unknown"}
    unknown = get(client, "/api/v1/services", level="unknown").json()
    assert unknown["count"] == len(listed)
    assert get(client, "/api/v1/services", level="ok").json()["count"] == 0
    summary = get(client, "/api/v1/summary").json()
    assert summary["status"]["indicator"] == "unknown"
    assert {c["indicator"] for c in summary["components"]} == {"unknown"}
    with time_machine.travel(NOW + 2 * MINUTE, tick=False):
        badge = client.get("/s/tiktok/badge.svg").text
    assert 'data-level="unknown"' in badge
    assert status.STATUS_TTL_SECONDS <= 5 * 60


def past_incident(service, opened_at) -> Incident:
    return Incident.objects.create(
        service=service,
        state=Incident.State.RESOLVED,
        scope=Incident.Scope.WORLDWIDE,
        opened_at=opened_at,
        resolved_at=opened_at + 30 * MINUTE,
        observed=50,
        expected=5,
        p_value=1e-9,
        peak_at=opened_at + 5 * MINUTE,
        peak_observed=60,
        peak_expected=5,
        regions=[{"region": "", "observed": 50, "expected": 5}],
        updated_at=opened_at + 30 * MINUTE,
    )


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/services?level=ok&level=outage",
        "/api/v1/services/tiktok/series?region=DE&region=FR",
        "/api/v1/incidents?state=ongoing&state=resolved&limit=",
    ],
)
def test_a_parameter_given_twice_is_a_400_naming_it(client, catalog, url):
    name = url.split("?")[1].split("=")[0]
    response = client.get(url)
    assert response.status_code == 400
    assert response.json() == {name: [f"Give {name} once."]}


def test_an_unknown_format_is_a_400_naming_the_ones_there_are(client, catalog):
    response = client.get("/api/v1/services", {"format": "xml"})
    assert response.status_code == 400
    assert response.json() == {"format": ["Unknown format 'xml': use json."]}
    # The schema's own answers are YAML unless asked otherwise.
    schema = client.get("/api/schema/", {"format": "csv"})
    assert schema.status_code == 400
    assert schema.text == "format:\n- 'Unknown format ''csv'': use json, yaml.'\n"
    assert client.get("/api/schema/", {"format": "json"}).status_code == 200


def test_incident_pages_hold_still_while_new_incidents_open(client, catalog):
    tiktok = Service.objects.get(slug="tiktok")
    made = [past_incident(tiktok, NOW - (i + 1) * 60 * MINUTE) for i in range(5)]
    newest_first = [i.id for i in made]

    first = client.get("/api/v1/incidents", {"limit": 2}).json()
    assert [i["id"] for i in first["results"]] == newest_first[:2]
    assert first["previous"] is None
    assert first["next"].startswith("http://testserver/api/v1/incidents?cursor=")
    # An incident opens while the client reads the first page.
    past_incident(tiktok, NOW)

    second = client.get(first["next"]).json()
    assert [i["id"] for i in second["results"]] == newest_first[2:4]
    third = client.get(second["next"]).json()
    assert [i["id"] for i in third["results"]] == newest_first[4:]
    assert third["next"] is None
    back = client.get(third["previous"]).json()
    assert [i["id"] for i in back["results"]] == newest_first[2:4]


def test_a_deeper_subdivision_finds_the_incidents_of_its_region(client, catalog):
    made = past_incident(Service.objects.get(slug="tiktok"), NOW)
    made.regions = [{"region": "FR-IDF", "observed": 50, "expected": 5}]
    made.save()
    for code in ("FR-IDF", "fr-75c"):
        body = client.get("/api/v1/incidents", {"region": code}).json()
        assert [i["id"] for i in body["results"]] == [made.id]


def test_a_bad_limit_is_a_400_that_says_so(client, catalog):
    assert client.get("/api/v1/incidents", {"limit": 0}).status_code == 400
    assert client.get("/api/v1/incidents", {"limit": 501}).status_code == 400


def test_an_empty_limit_or_query_counts_as_left_out(client, catalog):
    # As an HTML form sends fields nobody filled in.
    body = client.get("/api/v1/services?q=&limit=&offset=").json()
    assert len(body["results"]) == 50
    assert client.get("/api/v1/incidents?limit=&cursor=").status_code == 200


def cursor(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


@pytest.mark.parametrize(
    "given",
    [
        "not-a-cursor",
        # Base64 of a query string, but not of one this API makes.
        cursor("p=2026"),
        cursor("p=not a date"),
        cursor("r=1&p=x"),
        cursor("p=0001-01-01 00:00:00+01:00"),
        cursor("x=1"),
        # What lenient decoding would read as the first page.
        "\x00",
        "AAAA" * 500,
    ],
)
def test_a_cursor_this_api_did_not_give_is_a_404_that_says_so(client, catalog, given):
    past_incident(Service.objects.get(slug="tiktok"), NOW)
    bad = client.get("/api/v1/incidents", {"cursor": given})
    assert bad.status_code == 404
    assert "next or previous link" in bad.json()["detail"]


@pytest.mark.parametrize("name", ["since", "until"])
@pytest.mark.parametrize(
    "moment", ["9999-12-31T23:59:59-01:00", "0001-01-01T00:00:00+01:00"]
)
def test_a_moment_beyond_the_calendar_in_utc_is_a_400_naming_it(
    client, catalog, name, moment
):
    response = client.get("/api/v1/incidents", {name: moment})
    assert response.status_code == 400
    assert response.json() == {name: ["Datetime value out of range."]}

import pytest
from django.db import DatabaseError, connection

from config import redis
from outages.models import Bucket
from outages.pipeline.bucketing import bucket_new_reports
from reports import log
from tests.helpers.intake import logged, stored

URL = "/api/v1/reports"
GERMAN_ADDRESS = "81.169.145.1"


def post(client, body, **extra):
    return client.post(URL, body, content_type="application/json", **extra)


def test_a_report_is_logged_answered_with_201_then_stored(client, catalog):
    response = post(client, {"service": "tiktok", "symptom": "login", "region": "DE"})
    assert response.status_code == 201
    body = response.json()
    assert body["counted"] is True
    assert body["region"] == "DE"
    assert logged() == 1
    report = stored().get(intake_id=body["id"])
    assert (report.service.slug, report.symptom.slug) == ("tiktok", "login")
    assert report.country_id == "DE" and report.subdivision_id is None
    assert report.created_at.isoformat().replace("+00:00", "Z") == body["created_at"]
    assert logged() == 0


def test_the_region_defaults_to_the_country_of_the_address(client, catalog):
    response = post(
        client, {"service": "tiktok", "symptom": "login"}, REMOTE_ADDR=GERMAN_ADDRESS
    )
    assert response.status_code == 201
    assert response.json()["region"] == "DE"


def test_a_report_from_an_unknown_place_counts_worldwide(client, catalog):
    response = post(client, {"service": "tiktok", "symptom": "login"})
    assert response.status_code == 201
    report = stored().get()
    assert report.country_id is None and response.json()["region"] is None


def test_a_subdivision_is_counted_under_its_first_level_and_country(client, catalog):
    post(client, {"service": "tiktok", "symptom": "login", "region": "us-ca"})
    post(client, {"service": "gmail", "symptom": "login", "region": "FR-75C"})
    places = set(stored().values_list("country_id", "subdivision_id"))
    assert places == {("US", "US-CA"), ("FR", "FR-IDF")}


def test_a_repeat_from_the_same_reporter_is_stored_but_not_counted(client, catalog):
    first = post(client, {"service": "tiktok", "symptom": "login", "region": "DE"})
    again = post(client, {"service": "tiktok", "symptom": "upload", "region": "DE"})
    other = post(client, {"service": "gmail", "symptom": "login", "region": "DE"})
    assert [r.json()["counted"] for r in (first, again, other)] == [True, False, True]
    assert stored().count() == 3


def test_another_user_agent_on_the_same_address_is_another_reporter(client, catalog):
    one = post(client, {"service": "tiktok", "symptom": "login"}, HTTP_USER_AGENT="A")
    two = post(client, {"service": "tiktok", "symptom": "login"}, HTTP_USER_AGENT="B")
    assert one.json()["counted"] and two.json()["counted"]


def test_the_raw_address_is_never_stored(client, catalog):
    post(client, {"service": "tiktok", "symptom": "login"}, REMOTE_ADDR=GERMAN_ADDRESS)
    [(_, entry)] = redis.client().xrange(log.STREAM)
    assert GERMAN_ADDRESS.encode() not in b"".join(entry.values())
    bucket_new_reports()
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM reports_report")
        row = cursor.fetchone()
    assert GERMAN_ADDRESS not in repr(row)
    assert len(stored().get().reporter) == 32


def test_an_idempotent_retry_gets_the_original_answer_and_stores_nothing(
    client, catalog
):
    body = {"service": "tiktok", "symptom": "login", "region": "DE"}
    first = post(client, body, HTTP_IDEMPOTENCY_KEY="retry-1")
    bucket_new_reports()
    retry = post(client, body, HTTP_IDEMPOTENCY_KEY="retry-1")
    assert first.status_code == retry.status_code == 201
    assert first.json() == retry.json()
    assert "Idempotent-Replayed" not in first
    assert retry["Idempotent-Replayed"] == "true"
    assert stored().count() == 1
    assert Bucket.objects.get(region="").reporters == 1


def test_an_idempotency_key_reused_for_another_report_is_422(client, catalog):
    post(client, {"service": "tiktok", "symptom": "login"}, HTTP_IDEMPOTENCY_KEY="k")
    response = post(
        client, {"service": "gmail", "symptom": "login"}, HTTP_IDEMPOTENCY_KEY="k"
    )
    assert response.status_code == 422
    assert "already used for a different request" in response.json()["detail"]
    assert stored().count() == 1


def test_idempotency_keys_are_scoped_to_the_reporter(client, catalog):
    body = {"service": "tiktok", "symptom": "login"}
    one = post(client, body, HTTP_IDEMPOTENCY_KEY="same", HTTP_USER_AGENT="A")
    two = post(client, body, HTTP_IDEMPOTENCY_KEY="same", HTTP_USER_AGENT="B")
    assert one.json()["id"] != two.json()["id"]
    assert "Idempotent-Replayed" not in two
    assert stored().count() == 2


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"service": "nope", "symptom": "login"}, "service", "Unknown service 'nope'."),
        (
            {"service": "tiktok", "symptom": "nope"},
            "symptom",
            "Unknown symptom 'nope'.",
        ),
        (
            {"service": "tiktok", "symptom": "login", "region": "XX"},
            "region",
            "Unknown region 'XX'",
        ),
        # Not "SS": no code is spelt with a letter that upper-cases to two.
        (
            {"service": "tiktok", "symptom": "login", "region": "ß"},
            "region",
            "Unknown region 'ß'",
        ),
        ({"symptom": "login"}, "service", "This field is required."),
        ({"service": "tiktok", "symptom": 5 * "x" * 20}, "symptom", "at most 50"),
        ({"service": "tiktok", "symptom": 7}, "symptom", "Must be a string"),
        (["tiktok"], "non_field_errors", "Send a report as a JSON object."),
        # Misspelt, the region would silently be the address's country.
        (
            {"service": "tiktok", "symptom": "login", "regoin": "US"},
            "regoin",
            "Unknown field; a report has service, symptom, region.",
        ),
        ({"service": "tiktok", "symptom": "login", "reporter": "u1"}, "reporter", ""),
    ],
)
def test_bad_fields_get_400_naming_the_field(client, catalog, body, field, message):
    response = post(client, body)
    assert response.status_code == 400
    assert message in response.json()[field][0]
    assert not stored().exists()


def test_malformed_json_gets_400(client, catalog):
    response = post(client, '{"service": "tiktok",')
    assert response.status_code == 400
    assert "JSON parse error" in response.json()["detail"]


def test_a_form_encoded_body_gets_415(client, catalog):
    response = client.post(URL, {"service": "tiktok", "symptom": "login"})
    assert response.status_code == 415
    assert "Unsupported media type" in response.json()["detail"]


def test_a_body_over_the_limit_gets_413(client, catalog):
    response = post(client, {"service": "tiktok", "symptom": "login", "x": "y" * 5000})
    assert response.status_code == 413
    assert "over the limit" in response.json()["detail"]


def test_a_bad_idempotency_key_gets_400(client, catalog):
    response = post(
        client,
        {"service": "tiktok", "symptom": "login"},
        HTTP_IDEMPOTENCY_KEY="k" * 101,
    )
    assert response.status_code == 400
    assert "Idempotency-Key" in response.json()


def test_too_many_reports_get_429_with_retry_after(client, catalog, settings):
    settings.REPORTS_PER_MINUTE = 3
    codes = [
        post(client, {"service": "tiktok", "symptom": "login"}).status_code
        for _ in range(5)
    ]
    assert codes == [201, 201, 201, 429, 429]
    response = post(client, {"service": "tiktok", "symptom": "login"})
    assert 1 <= int(response["Retry-After"]) <= 60
    assert "throttled" in response.json()["detail"]
    assert stored().count() == 3


def test_a_forged_forwarded_for_header_does_not_dodge_the_limit(
    client, catalog, settings
):
    settings.REPORTS_PER_MINUTE = 2
    codes = [
        post(
            client,
            {"service": "tiktok", "symptom": "login"},
            HTTP_X_FORWARDED_FOR=f"10.0.0.{i}",
        ).status_code
        for i in range(4)
    ]
    assert codes == [201, 201, 429, 429]


def test_behind_a_trusted_proxy_the_forwarded_address_is_the_client(
    client, catalog, settings
):
    settings.TRUSTED_PROXY_COUNT = 1
    response = post(
        client,
        {"service": "tiktok", "symptom": "login"},
        HTTP_X_FORWARDED_FOR=f"1.2.3.4, {GERMAN_ADDRESS}",
    )
    assert response.json()["region"] == "DE"


@pytest.mark.django_db(transaction=True)
def test_a_database_that_refuses_writes_still_accepts_reports_and_counts_them_later(
    client,
):
    from outages.catalog import load_catalog, lookup

    load_catalog()
    lookup.forget()
    body = {"service": "tiktok", "symptom": "login", "region": "DE"}
    assert post(client, body).status_code == 201  # the catalog is in memory now
    with connection.cursor() as cursor:
        cursor.execute("SET default_transaction_read_only = on")
    try:
        response = post(client, {**body, "service": "gmail"})
        with pytest.raises(DatabaseError):
            bucket_new_reports()
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SET default_transaction_read_only = off")
    assert response.status_code == 201
    assert logged() == 2
    assert stored().count() == 2
    assert (
        sum(Bucket.objects.filter(region="").values_list("reporters", flat=True)) == 2
    )


def test_a_full_intake_log_gets_503_with_retry_after_and_keeps_nothing(
    client, catalog, settings
):
    settings.INTAKE_BACKLOG_MAX_ENTRIES = 2
    body = {"service": "tiktok", "symptom": "login"}
    codes = [post(client, body, HTTP_USER_AGENT=str(i)).status_code for i in range(3)]
    assert codes == [201, 201, 503]
    response = post(client, body, HTTP_USER_AGENT="late")
    assert int(response["Retry-After"]) > 0
    assert "waiting to be counted" in response.json()["detail"]
    assert logged() == 2
    # Once bucketing catches up, intake takes reports again, and the refused
    # reporter's report still counts.
    bucket_new_reports()
    again = post(client, body, HTTP_USER_AGENT="late")
    assert again.status_code == 201 and again.json()["counted"] is True


@pytest.mark.parametrize("salt_known", [True, False])
def test_redis_down_gets_503(client, catalog, settings, tmp_path, salt_known):
    from reports import reporters
    from tests.helpers.servers import redis_server

    if not salt_known:
        reporters._salts.clear()
    with redis_server(tmp_path) as (process, url):
        settings.REDIS_URL = url
        process.terminate()
        process.wait(10)
        response = post(client, {"service": "tiktok", "symptom": "login"})
    assert response.status_code == 503
    assert "Redis unavailable" in response.json()["detail"]


def test_another_method_gets_405_naming_it(client, catalog):
    response = client.get(URL)
    assert response.status_code == 405
    assert response["Allow"] == "POST"
    assert response.json() == {"detail": 'Method "GET" not allowed.'}


def test_an_empty_body_gets_400_naming_the_required_fields(client, catalog):
    response = client.post(URL, b"", content_type="application/json")
    assert response.status_code == 400
    assert response.json() == {
        "service": ["This field is required."],
        "symptom": ["This field is required."],
    }


def test_non_finite_numbers_are_malformed_json(client, catalog):
    response = post(client, '{"service": "tiktok", "symptom": NaN}')
    assert response.status_code == 400
    assert "JSON parse error" in response.json()["detail"]

import pytest
from django.contrib.auth.models import User
from rest_framework.authtoken.models import Token

from config import redis
from outages.models import Bucket
from reports import log
from tests.helpers.intake import logged, stored

URL = "/api/v1/reports/batch"


@pytest.fixture
def token(catalog):
    return Token.objects.create(user=User.objects.create(username="integrator")).key


def post(client, body, token=None):
    headers = {"HTTP_AUTHORIZATION": f"Token {token}"} if token else {}
    return client.post(URL, body, content_type="application/json", **headers)


def test_a_batch_answers_per_item_and_stores_the_good_ones(client, token):
    body = {
        "reports": [
            {"service": "tiktok", "symptom": "login", "region": "DE", "reporter": "u1"},
            {"service": "nope", "symptom": "login"},
            {"service": "tiktok", "symptom": "feed", "region": "DE", "reporter": "u1"},
            "not an object",
            {"service": "tiktok", "symptom": "feed", "region": "US-TX"},
        ]
    }
    response = post(client, body, token)
    assert response.status_code == 200
    result = response.json()
    assert (result["accepted"], result["rejected"]) == (3, 2)
    statuses = [item["status"] for item in result["results"]]
    assert statuses == ["accepted", "rejected", "accepted", "rejected", "accepted"]
    assert result["results"][1]["errors"] == {"service": ["Unknown service 'nope'."]}
    # The same person twice counts once; an anonymous entry counts on its own.
    assert [result["results"][i]["counted"] for i in (0, 2, 4)] == [True, False, True]
    assert logged() == 3
    assert stored().filter(source="batch").count() == 3


def test_a_batch_needs_a_token(client, catalog):
    response = post(client, {"reports": [{"service": "tiktok", "symptom": "login"}]})
    assert response.status_code == 401
    assert not stored().exists()


def test_a_batch_over_the_limit_is_refused_whole(client, token, settings):
    settings.BATCH_MAX_ITEMS = 3
    item = {"service": "tiktok", "symptom": "login"}
    response = post(client, {"reports": [item] * 4}, token)
    assert response.status_code == 400
    assert "At most 3 reports" in response.json()["reports"][0]
    assert not stored().exists()


def test_a_batch_without_a_list_gets_400(client, token):
    response = post(client, {"items": []}, token)
    assert response.status_code == 400
    assert "non-empty list" in response.json()["reports"][0]


def test_unknown_fields_are_named_not_ignored(client, token):
    item = {"service": "tiktok", "symptom": "login"}
    response = post(client, {"reports": [item], "report": [item]}, token)
    assert response.status_code == 400
    assert response.json() == {"report": ["Unknown field; a batch has only 'reports'."]}
    response = post(client, {"reports": [item, {**item, "reportr": "u1"}]}, token)
    assert response.json()["results"][1]["errors"] == {
        "reportr": ["Unknown field; a report has service, symptom, region, reporter."]
    }
    assert stored().count() == 1


def test_a_batch_where_every_item_is_bad_gets_400(client, token):
    response = post(client, {"reports": [{"service": 3, "symptom": "login"}]}, token)
    assert response.status_code == 400
    assert response.json()["results"][0]["errors"]["service"] == [
        "Must be a string of at most 50 characters."
    ]


def test_anonymous_entries_count_without_leaving_a_dedup_mark(client, token):

    item = {"service": "tiktok", "symptom": "login", "region": "DE"}
    named = {**item, "reporter": "u1"}
    response = post(client, {"reports": [item, item, named, named]}, token)
    counted = [result["counted"] for result in response.json()["results"]]
    assert counted == [True, True, True, False]
    assert len(redis.client().keys("radar:first:*")) == 1
    reporters = stored().values_list("reporter", flat=True)
    assert len(set(reporters)) == 3 and all(len(r) == 32 for r in reporters)


def test_a_retried_batch_with_its_key_stores_and_counts_nothing_twice(client, token):
    body = {
        "reports": [
            {"service": "tiktok", "symptom": "login", "region": "DE"},
            {"service": "nope", "symptom": "login"},
            {"service": "tiktok", "symptom": "feed", "region": "DE", "reporter": "u"},
        ]
    }
    headers = {"HTTP_AUTHORIZATION": f"Token {token}", "HTTP_IDEMPOTENCY_KEY": "b-1"}
    first = client.post(URL, body, content_type="application/json", **headers)
    stored()
    retry = client.post(URL, body, content_type="application/json", **headers)
    assert first.status_code == retry.status_code == 200
    assert retry.json() == first.json()
    assert retry["Idempotent-Replayed"] == "true"
    assert stored().count() == 2
    assert Bucket.objects.get(region="", symptom__slug="login").reporters == 1
    # Without the key, the anonymous entry is a new reporter each time.
    headers.pop("HTTP_IDEMPOTENCY_KEY")
    client.post(URL, body, content_type="application/json", **headers)
    assert stored().count() == 4


def test_a_batch_key_reused_for_another_batch_is_422(client, token):
    headers = {"HTTP_AUTHORIZATION": f"Token {token}", "HTTP_IDEMPOTENCY_KEY": "b-2"}
    item = {"service": "tiktok", "symptom": "login"}
    client.post(URL, {"reports": [item]}, content_type="application/json", **headers)
    response = client.post(
        URL, {"reports": [item, item]}, content_type="application/json", **headers
    )
    assert response.status_code == 422
    assert "already used for a different request" in response.json()["detail"]
    assert stored().count() == 1


def batch(client, token, *people, key=None, region="DE"):
    headers = {"HTTP_AUTHORIZATION": f"Token {token}"}
    if key:
        headers["HTTP_IDEMPOTENCY_KEY"] = key
    body = {
        "reports": [
            {"service": "tiktok", "symptom": "login", "region": region, "reporter": p}
            for p in people
        ]
    }
    return client.post(URL, body, content_type="application/json", **headers)


def test_a_batch_is_one_log_entry_and_each_report_keeps_its_answered_id(client, token):
    answer = batch(client, token, "u1", "u2", "u1").json()
    [(entry_id, _)] = redis.client().xrange(log.STREAM)
    ids = [item["id"] for item in answer["results"]]
    assert ids == [f"{entry_id.decode()}-{i}" for i in range(3)]
    assert logged() == 3
    reports = stored().order_by("id")
    assert list(reports.values_list("intake_id", "counted")) == [
        (ids[0], True),
        (ids[1], True),
        (ids[2], False),
    ]
    assert logged() == 0 and redis.client().xlen(log.STREAM) == 0
    assert Bucket.objects.get(region="DE").reporters == 2


def test_the_backlog_bound_counts_the_reports_of_a_batch(client, token, settings):
    settings.INTAKE_BACKLOG_MAX_ENTRIES = 4
    assert batch(client, token, "a", "b", "c").status_code == 200
    refused = batch(client, token, "d", "e")
    assert refused.status_code == 503 and refused["Retry-After"]
    assert logged() == 3
    stored()  # moved: room again
    assert batch(client, token, "d", "e").status_code == 200
    assert stored().count() == 5


def test_a_batch_answered_before_batches_were_one_entry_replays_as_it_was(
    client, token
):
    # A key kept from then: the answer per report, apart by commas.
    first = batch(client, token, "u1", key="old").json()
    key = log.idempotency_key(
        "token:" + str(Token.objects.get(key=token).user_id), "old"
    )
    fingerprint, stamped, _ = redis.client().get(key).decode().split(" ", 2)
    redis.client().set(key, f"{fingerprint} {stamped} 1700000000000-0:1")
    replay = batch(client, token, "u1", key="old")
    assert replay["Idempotent-Replayed"] == "true"
    assert replay.json()["results"][0]["id"] == "1700000000000-0"
    assert first["results"][0]["id"] != "1700000000000-0"


def test_deeply_nested_json_is_malformed_not_an_error(client, token):
    headers = {"HTTP_AUTHORIZATION": f"Token {token}"}
    body = '{"reports": ' + "[" * 5000 + "]" * 5000 + "}"
    response = client.post(URL, body, content_type="application/json", **headers)
    assert response.status_code == 400
    assert "JSON parse error" in response.json()["detail"]


@pytest.mark.parametrize(
    ("content_type", "status"),
    [
        ("application/json; charset=utf-8", 200),
        ("application/json; charset=latin-1", 200),
        ("application/x-www-form-urlencoded", 415),
    ],
)
def test_a_batch_is_read_by_its_media_type_and_charset(
    client, token, content_type, status
):
    body = '{"reports": [{"service": "tiktok", "symptom": "login"}]}'
    response = client.post(
        URL, body, content_type=content_type, HTTP_AUTHORIZATION=f"Token {token}"
    )
    assert response.status_code == status
    assert stored().count() == (status == 200)

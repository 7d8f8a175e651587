"""The report endpoint as the WSGI server calls it, ahead of Django's stack."""

import json

import pytest
from django.test import RequestFactory

from config.wsgi import application
from tests.helpers.intake import logged

pytestmark = pytest.mark.django_db(transaction=True)


def call(environ):
    answer = {}

    def start_response(status, headers):
        answer["status"], answer["headers"] = status, dict(headers)

    body = b"".join(application(environ, start_response))
    return answer["status"], answer["headers"], body


def environ(method="post", path="/api/v1/reports", body=None, **extra):
    factory = RequestFactory()
    request = getattr(factory, method)(
        path,
        json.dumps(body) if body is not None else None,
        content_type="application/json",
        **extra,
    )
    return request.environ


@pytest.fixture
def live_catalog(transactional_db):
    from outages.catalog import load_catalog, lookup

    load_catalog()
    lookup.forget()


def test_a_report_is_answered_with_the_headers_the_middlewares_give(live_catalog):
    status, headers, body = call(
        environ(body={"service": "tiktok", "symptom": "login", "region": "DE"})
    )
    assert status == "201 Created"
    assert json.loads(body)["region"] == "DE"
    assert headers["Content-Type"] == "application/json"
    assert headers["Content-Length"] == str(len(body))
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    assert logged() == 1


def test_bad_input_gets_the_same_400_as_through_django(live_catalog, client):
    bad = {"service": "nope", "symptom": "login"}
    status, _, body = call(environ(body=bad))
    through_django = client.post(
        "/api/v1/reports", bad, content_type="application/json"
    )
    assert status.startswith("400")
    assert json.loads(body) == through_django.json()
    assert logged() == 0


def test_a_host_not_allowed_goes_through_django_and_is_refused(live_catalog):
    status, _, _ = call(
        environ(body={"service": "tiktok", "symptom": "login"}, HTTP_HOST="evil.test")
    )
    assert status.startswith("400")
    assert logged() == 0


def test_other_paths_and_methods_take_the_normal_way(live_catalog):
    status, headers, _ = call(environ("get"))
    assert status.startswith("405") and headers["Allow"] == "POST"
    status, _, _ = call(environ("get", "/healthz"))
    assert status == "200 OK"

from unittest import mock

import pytest

from outages.alerts.models import Delivery, Webhook

URL = "/api/v1/webhooks"


@pytest.fixture
def api(client, alice_token):
    """Requests with Alice's token."""

    def call(method, path, body=None):
        return getattr(client, method)(
            path,
            body,
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Token {alice_token}",
        )

    return call


def test_creating_a_webhook_shows_its_secret_once(api, alice, catalog):
    response = api(
        "post",
        URL,
        {"url": "https://hooks.example.com/radar", "service": "tiktok", "region": "de"},
    )
    assert response.status_code == 201
    made = response.json()
    webhook = Webhook.objects.get()
    assert made["secret"] == webhook.secret and webhook.secret.startswith("whsec_")
    assert (webhook.owner, webhook.service.slug, webhook.region) == (
        alice,
        "tiktok",
        "DE",
    )
    assert made["min_level"] == "outage" and made["active"] is True

    listed = api("get", URL).json()
    assert [w["id"] for w in listed["results"]] == [webhook.pk]
    assert "secret" not in listed["results"][0]
    one = api("get", f"{URL}/{webhook.pk}").json()
    assert one["url"] == "https://hooks.example.com/radar" and "secret" not in one


def test_a_webhook_for_every_service_and_place_is_the_default(api):
    response = api("post", URL, {"url": "https://hooks.example.com/all"})
    assert response.status_code == 201
    assert (response.json()["service"], response.json()["region"]) == (None, "")


def test_webhooks_need_a_token(client):
    response = client.get(URL)
    assert response.status_code == 401


def test_another_users_webhook_is_404(api, bobs_webhook):
    for method in ("get", "patch", "delete"):
        response = api(method, f"{URL}/{bobs_webhook.pk}", {})
        assert response.status_code == 404
        assert response.json() == {"detail": "No such webhook."}
    assert api("post", f"{URL}/{bobs_webhook.pk}/test").status_code == 404
    assert api("get", f"{URL}/{bobs_webhook.pk}/deliveries").status_code == 404
    assert api("get", URL).json()["results"] == []
    assert Webhook.objects.filter(pk=bobs_webhook.pk).exists()


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("http://hooks.example.com/radar", "The URL must start with https://."),
        (
            "https://127.0.0.1/radar",
            "The host '127.0.0.1' resolves to 127.0.0.1, which is not a public "
            "address.",
        ),
        ("not a url", "Enter a valid URL."),
        # Taken by urlsplit, then sent to 443.
        (
            "https://hooks.example.com:0/",
            "The URL's port is not a number from 1 to 65535.",
        ),
    ],
)
def test_a_bad_url_gets_400_saying_why(api, url, message):
    response = api("post", URL, {"url": url})
    assert response.status_code == 400
    assert response.json() == {"url": [message]}
    assert not Webhook.objects.exists()


def test_fields_it_does_not_take_are_named_not_ignored(api, catalog):
    made = api("post", URL, {"url": "https://hooks.example.com/x"}).json()
    response = api("patch", f"{URL}/{made['id']}", {"secret": "mine", "events": ["x"]})
    assert response.status_code == 400
    assert response.json()["secret"] == ["Read-only: the radar sets it."]
    assert response.json()["events"][0].startswith("Unknown field; a webhook has url")
    assert Webhook.objects.get().secret == made["secret"]
    for loose in (0, "yes", "true"):
        response = api("patch", f"{URL}/{made['id']}", {"active": loose})
        assert response.json() == {"active": ["Must be a valid boolean."]}


def test_a_body_nested_too_deep_is_a_400(api):
    response = api("post", URL, "[" * 5000)
    assert response.status_code == 400
    assert "nested too deeply" in response.json()["detail"]


def test_a_region_that_only_becomes_a_code_in_upper_case_is_unknown(api, catalog):
    # "ß".upper() is "SS", a country.
    response = api("post", URL, {"url": "https://hooks.example.com/x", "region": "ß"})
    assert response.status_code == 400
    assert "Unknown region 'ß'" in response.json()["region"][0]


def test_an_unknown_service_or_region_gets_400(api, catalog):
    response = api(
        "post",
        URL,
        {"url": "https://hooks.example.com/x", "service": "nope", "region": "XX"},
    )
    assert response.status_code == 400
    assert response.json() == {
        "service": ["Unknown service 'nope'."],
        "region": ["Unknown region 'XX': use an ISO 3166 code such as DE or US-CA."],
    }


def test_changing_and_turning_a_disabled_webhook_back_on(api, alice):
    made = api("post", URL, {"url": "https://hooks.example.com/x"}).json()
    Webhook.objects.filter(pk=made["id"]).update(
        active=False, disabled_reason="Deliveries failed for over a day"
    )
    response = api(
        "patch", f"{URL}/{made['id']}", {"active": True, "min_level": "possible"}
    )
    assert response.status_code == 200
    webhook = Webhook.objects.get()
    assert (webhook.active, webhook.disabled_reason) == (True, "")
    assert (webhook.min_level, webhook.url) == (
        "possible",
        "https://hooks.example.com/x",
    )
    refused = api("patch", f"{URL}/{made['id']}", {"url": "https://10.0.0.1/"})
    assert refused.status_code == 400
    assert "not a public address" in refused.json()["url"][0]


def test_deleting_a_webhook(api):
    made = api("post", URL, {"url": "https://hooks.example.com/x"}).json()
    assert api("delete", f"{URL}/{made['id']}").status_code == 204
    assert not Webhook.objects.exists()


def test_a_test_event_makes_a_delivery_and_queues_it(
    api, django_capture_on_commit_callbacks
):
    made = api("post", URL, {"url": "https://hooks.example.com/x"}).json()
    with (
        mock.patch("outages.alerts.tasks.deliver.delay") as queued,
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = api("post", f"{URL}/{made['id']}/test")
    assert response.status_code == 202
    delivery = Delivery.objects.get()
    assert response.json()["id"] == delivery.pk
    assert (delivery.event_type, delivery.status) == ("webhook.test", "pending")
    assert delivery.event_id.startswith("evt_test_")
    assert delivery.payload["type"] == "webhook.test"
    queued.assert_called_once_with(delivery.pk)
    listed = api("get", f"{URL}/{made['id']}/deliveries").json()
    assert [d["event_type"] for d in listed["results"]] == ["webhook.test"]

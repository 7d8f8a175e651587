"""Signing up for email alerts: what is refused, and the limits that keep the
form from flooding anyone."""

from datetime import timedelta

import pytest
import time_machine

from outages.alerts import email_signup
from outages.alerts.models import Email, EmailSubscription
from outages.models import Service
from tests.helpers.outage import NOW


@pytest.fixture(autouse=True)
def sent_at_once(emails_sent_at_once):
    return emails_sent_at_once


@pytest.fixture
def post(client, catalog, inbox, django_capture_on_commit_callbacks):
    def send(email, country="", slug="tiktok", address="192.0.2.10"):
        with (
            time_machine.travel(NOW, tick=False),
            django_capture_on_commit_callbacks(execute=True),
        ):
            return client.post(
                f"/s/{slug}/alerts",
                {"email": email, "country": country},
                REMOTE_ADDR=address,
            )

    return send


def test_a_bad_address_gets_400_with_the_form_and_the_reason(post, inbox):
    answer = post("alice@")
    assert answer.status_code == 400
    html = answer.content.decode()
    assert "Enter a whole email address, like name@example.com." in html
    assert 'value="alice@"' in html  # what was typed is kept
    assert not EmailSubscription.objects.exists()
    assert inbox.messages == []


def test_an_unknown_country_gets_400(post):
    answer = post("alice@example.com", country="XX")
    assert answer.status_code == 400
    assert "Pick a country from the list." in answer.content.decode()
    assert not EmailSubscription.objects.exists()


def test_an_unknown_service_is_404(post):
    assert post("alice@example.com", slug="nothing").status_code == 404


def test_a_sixth_sign_up_in_an_hour_from_one_reporter_gets_429(post, inbox):
    for i in range(5):
        assert post(f"person{i}@example.com").status_code == 302
    answer = post("person5@example.com")
    assert answer.status_code == 429
    assert "You have asked for several email alerts in the last hour." in (
        answer.content.decode()
    )
    assert not EmailSubscription.objects.filter(email="person5@example.com").exists()
    assert len(inbox.messages) == 5
    # Someone else is not held back.
    assert post("person5@example.com", address="192.0.2.99").status_code == 302


def test_one_address_gets_at_most_three_confirmations(post, inbox):
    slugs = list(Service.objects.values_list("slug", flat=True)[:4])
    for i, slug in enumerate(slugs[:3]):
        assert (
            post("victim@example.com", slug=slug, address=f"192.0.2.{i}").status_code
            == 302
        )
    answer = post("victim@example.com", slug=slugs[3], address="192.0.2.50")
    assert answer.status_code == 429
    assert "This address has been sent several confirmation messages" in (
        answer.content.decode()
    )
    assert EmailSubscription.objects.count() == 3
    assert len(inbox.to("victim@example.com")) == 3


def test_signing_up_again_while_pending_sends_a_new_link(post, inbox):
    post("alice@example.com", country="DE")
    post("alice@example.com", country="DE")
    assert EmailSubscription.objects.count() == 1
    assert len(inbox.messages) == 2


def test_an_address_already_getting_alerts_is_sent_nothing_new(post, inbox):
    post("alice@example.com", country="DE")
    EmailSubscription.objects.update(confirmed_at=NOW)
    answer = post("alice@example.com", country="DE")
    assert answer.status_code == 302  # the same answer: nothing told
    assert len(inbox.messages) == 1
    assert Email.objects.count() == 1


def test_a_confirmation_link_expires_and_the_address_is_then_forgotten(
    client, post, inbox
):
    post("alice@example.com")
    [link] = [
        line.removeprefix("https://radar.example.org")
        for line in inbox.messages[0].get_content().splitlines()
        if "/alerts/confirm/" in line
    ]
    later = NOW + timedelta(days=3, minutes=1)
    with time_machine.travel(later, tick=False):
        answer = client.post(link)
        assert answer.status_code == 410
        assert "Confirmation links work for 3 days." in answer.content.decode()
        assert EmailSubscription.objects.get().confirmed_at is None
        assert email_signup.forget_unconfirmed() == 1
    assert not EmailSubscription.objects.exists()


def test_a_link_not_made_here_is_404(client, catalog):
    assert client.get("/alerts/confirm/made-up:1abc:xyz").status_code == 404
    assert client.post("/alerts/confirm/made-up:1abc:xyz").status_code == 404
    assert client.get("/alerts/unsubscribe/made-up").status_code == 404
    # Not a database outage either (PostgreSQL refuses a NUL in text).
    assert client.get("/alerts/unsubscribe/made%00up").status_code == 404
    assert client.post("/alerts/unsubscribe/made%00up").status_code == 404


def test_a_confirmed_address_is_not_forgotten(post):
    post("alice@example.com")
    EmailSubscription.objects.update(confirmed_at=NOW)
    assert email_signup.forget_unconfirmed(NOW + timedelta(days=30)) == 0

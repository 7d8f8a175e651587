"""Email alerts end to end: the form on a service page, a real SMTP server,
real detection cycles."""

import re

import pytest
import time_machine
from django.test import Client

from outages.alerts import email_events
from outages.alerts.models import Email, EmailSubscription
from outages.models import Incident
from tests.helpers.outage import MINUTE, NOW, surge

SITE = "https://radar.example.org"


@pytest.fixture(autouse=True)
def sent_at_once(emails_sent_at_once):
    return emails_sent_at_once


def link_in(message, path: str) -> str:
    """The path of the message's link that starts with `path`."""
    [found] = re.findall(
        rf"{re.escape(SITE)}({re.escape(path)}\S+)", message.get_content()
    )
    return found


def header(message, name: str) -> str:
    # A long value is folded onto the next line, as RFC 5322 allows.
    return str(message[name]).strip()


def sign_up(client, **data):
    with time_machine.travel(NOW, tick=False):
        return client.post("/s/tiktok/alerts", data)


def test_the_form_is_on_the_service_page_and_works_without_javascript(
    tiktok_with_history, inbox, django_capture_on_commit_callbacks
):
    browser = Client(enforce_csrf_checks=True)
    page = browser.get("/s/tiktok/")
    html = page.content.decode()
    assert "Email me when TikTok has problems" in html
    form = re.search(
        r'<form method="post" action="/s/tiktok/alerts">.*?</form>', html, re.S
    )
    assert form and 'name="csrfmiddlewaretoken"' in form.group()
    assert 'type="email" name="email"' in form.group()
    assert '<option value="DE">Germany</option>' in form.group()
    assert 'id="alert-country"' in form.group()  # not the report form's id
    assert html.count('id="id_country"') == 1

    token = browser.cookies["csrftoken"].value
    with django_capture_on_commit_callbacks(execute=True):
        answer = browser.post(
            "/s/tiktok/alerts",
            {"email": "alice@example.com", "country": "", "csrfmiddlewaretoken": token},
        )
    assert answer.status_code == 302
    assert answer["Location"] == "/s/tiktok/#email-alerts"
    page = browser.get(answer["Location"])
    assert "follow the link in the message on its way to alice@example.com" in (
        page.content.decode()
    )
    assert [m["Subject"] for m in inbox.messages] == ["Confirm email alerts for TikTok"]
    assert EmailSubscription.objects.get().region == ""


def test_a_confirmed_subscription_gets_the_outage_and_is_gone_after_one_click(
    client, tiktok_with_history, cycle_at, inbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        answer = sign_up(client, email="Alice@Example.COM", country="DE")
    assert answer.status_code == 302
    [confirmation] = inbox.messages
    assert confirmation["To"] == "Alice@example.com"
    assert confirmation["Subject"] == "Confirm email alerts for TikTok"
    subscription = EmailSubscription.objects.get()
    assert (subscription.region, subscription.confirmed_at) == ("DE", None)
    unsubscribe = f"{SITE}/alerts/unsubscribe/{subscription.token}"
    assert header(confirmation, "List-Unsubscribe") == f"<{unsubscribe}>"
    assert confirmation["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    # On the wire the URL is plain, folded at most, never an encoded word.
    assert re.search(
        rb"\r\nList-Unsubscribe:\s+<https://radar\.example\.org/alerts/unsubscribe/",
        inbox.raw[0],
    )

    # An outage before the address is confirmed sends it nothing.
    with time_machine.travel(NOW, tick=False):
        surge(client, 40, region="DE", symptom="login")
    cycle_at(NOW + MINUTE)
    cycle_at(NOW + 2 * MINUTE)
    incident = Incident.objects.get()
    assert len(inbox.messages) == 1
    assert not Email.objects.exclude(kind="confirm").exists()

    confirm = link_in(confirmation, "/alerts/confirm/")
    with time_machine.travel(NOW + 3 * MINUTE, tick=False):
        page = client.get(confirm)  # what a mail scanner does
        assert page.status_code == 200 and "Yes, email me" in page.content.decode()
        assert EmailSubscription.objects.get().confirmed_at is None
        page = client.post(confirm)
        assert "Email alerts for TikTok are on" in page.content.decode()
        assert client.post(confirm).status_code == 200  # again: no change
    assert EmailSubscription.objects.get().confirmed_at == NOW + 3 * MINUTE

    for minutes in range(3, 30):
        cycle_at(NOW + minutes * MINUTE)
    incident.refresh_from_db()
    assert incident.state == Incident.State.RESOLVED
    [_, alert] = inbox.messages
    assert alert["Subject"] == "TikTok: the problems are over"
    assert header(alert, "List-Unsubscribe") == f"<{unsubscribe}>"
    assert alert["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert alert["Auto-Submitted"] == "auto-generated"
    body = alert.get_content()
    assert "The problems with TikTok are over." in body
    assert f"{SITE}/incidents/{incident.pk}/" in body
    assert unsubscribe in body

    # The mail client's one click: a POST with no cookie, no CSRF token.
    one_click = Client(enforce_csrf_checks=True).post(
        link_in(alert, "/alerts/unsubscribe/"),
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert one_click.status_code == 200
    assert "Unsubscribed" in one_click.content.decode()
    assert not EmailSubscription.objects.exists()
    for step in incident.updates.all():
        assert email_events.emit(step) == []
    assert len(inbox.messages) == 2


def test_an_unconfirmed_address_gets_nothing_from_an_incident(
    client, outage_in_germany, inbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        sign_up(client, email="bob@example.com", country="")
    for step in outage_in_germany.updates.all():
        assert email_events.emit(step) == []
    assert [m["Subject"] for m in inbox.messages] == ["Confirm email alerts for TikTok"]


def test_get_on_the_unsubscribe_link_asks_and_unsubscribes_nothing(
    client, tiktok_with_history, inbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        sign_up(client, email="carol@example.com", country="DE")
    link = link_in(inbox.messages[0], "/alerts/unsubscribe/")
    page = client.get(link)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Stop email alerts for TikTok?" in html and '<form method="post">' in html
    assert client.head(link).status_code == 200
    assert EmailSubscription.objects.filter(email="carol@example.com").exists()

    assert client.post(link).status_code == 200
    assert not EmailSubscription.objects.exists()
    assert client.post(link).status_code == 200  # once more: still unsubscribed
    assert client.get(link).status_code == 404

"""Webhook owners, their tokens, and a resolver that needs no network; a real
SMTP server for email alerts, and their tasks run in place."""

from unittest import mock

import pytest
from django.contrib.auth.models import User
from rest_framework.authtoken.models import Token

from outages.alerts import destinations, email_sending, subscriptions
from tests.helpers.smtp import smtp_server

# What the fake resolver answers; a name not listed does not resolve.
NAMES = {
    "hooks.example.com": ["93.184.215.14", "2606:2800:21f:cb07:6820:80da:af6b:8b2c"],
    "sneaky.example.com": ["93.184.215.14", "10.0.0.5"],
    "metadata.example.com": ["169.254.169.254"],
}


@pytest.fixture(autouse=True)
def fake_dns(monkeypatch):
    real = destinations.resolve

    def resolve(host, port):
        if host in NAMES:
            return NAMES[host]
        if host.replace(".", "").isdigit() or ":" in host:
            return real(host, port)  # a literal address, no lookup
        raise destinations.Refused(f"The host {host!r} cannot be resolved.")

    monkeypatch.setattr(destinations, "resolve", resolve)


@pytest.fixture
def alice(db):
    return User.objects.create_user("alice")


@pytest.fixture
def alice_token(alice):
    return Token.objects.create(user=alice).key


@pytest.fixture
def bobs_webhook(db):
    bob = User.objects.create_user("bob")
    return subscriptions.subscribe(bob, url="https://hooks.example.com/bob")


@pytest.fixture
def inbox(settings):
    """A real SMTP server on 127.0.0.1 that the radar sends through."""
    with smtp_server() as server:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = server.host, server.port
        settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
        settings.SITE_URL = "https://radar.example.org"
        yield server


@pytest.fixture
def emails_sent_at_once():
    """Each queued email is attempted at once, as a worker would (the
    attempts each test makes later stand for the tasks' countdowns)."""
    with mock.patch("outages.alerts.tasks.send_email.delay") as delay:
        delay.side_effect = email_sending.attempt
        yield delay

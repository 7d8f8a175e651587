"""Webhook owners, their tokens, and a resolver that needs no network."""

import pytest
from django.contrib.auth.models import User
from rest_framework.authtoken.models import Token

from outages.alerts import destinations, subscriptions

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

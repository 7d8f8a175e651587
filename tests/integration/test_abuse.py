"""Faking an outage from a few networks, against a real server, PostgreSQL,
Redis and worker: each report comes from an address of 127.0.0.0/8 of its
own, bound as the source of its connection, and the app trusts no proxy."""

import http.client
import json
from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.utils import timezone
from rest_framework.authtoken.models import Token

from outages.catalog import load_catalog, lookup
from outages.models import DetectorState, Incident, Service
from outages.pipeline import shards
from outages.pipeline.history import learn_history
from outages.tasks import detect
from reports.models import Integrator, Report
from tests.helpers.history import quiet_history
from tests.helpers.servers import celery_worker, wait_until

pytestmark = pytest.mark.django_db(transaction=True)
MINUTE = timedelta(minutes=1)
DE_LOGIN = {"service": "tiktok", "symptom": "login", "region": "DE"}


@pytest.fixture
def radar(live_server, settings):
    """A served radar whose TikTok has two quiet weeks behind it, learned up
    to the minute before this one, so the reports sent now are judged next."""
    settings.TRUSTED_PROXY_COUNT = 0
    load_catalog()
    lookup.forget()
    tiktok = Service.objects.get(slug="tiktok")
    onset = timezone.now().replace(second=0, microsecond=0)
    keys, counts = quiet_history(tiktok.id, {"": 2.0, "DE": 0.5})
    learn_history(keys, counts, last=onset - MINUTE)
    return {"port": live_server.thread.port, "onset": onset, "service": tiktok}


def post(radar, address, body, agent="Mozilla/5.0", path="/api/v1/reports", **more):
    """POST `body` from `address`, a source address of the loopback network."""
    connection = http.client.HTTPConnection(
        "127.0.0.1", radar["port"], timeout=30, source_address=(address, 0)
    )
    try:
        headers = {"Content-Type": "application/json", "User-Agent": agent, **more}
        connection.request("POST", path, json.dumps(body), headers)
        response = connection.getresponse()
        return response.status, json.loads(response.read())
    finally:
        connection.close()


def counted(answers) -> int:
    assert all(status == 201 for status, _ in answers), answers
    return sum(body["counted"] for _, body in answers)


def judge_two_minutes(radar):
    """Two detection cycles on the worker, as beat would run them."""
    with celery_worker():
        for minutes in (1, 2):
            at = radar["onset"] + minutes * MINUTE + timedelta(seconds=15)
            detect.delay(now=at.isoformat())
            last = at.replace(second=0) - MINUTE
            # Every shard's task has judged the minute.
            wait_until(
                lambda last=last: (
                    DetectorState.objects.filter(minute__gte=last).count()
                    == shards.count()
                ),
                timeout=60,
            )


def status_of(client):
    response = client.get("/api/v1/services/tiktok/status")
    assert response.status_code == 200
    return response.json()


def test_one_address_rotating_its_user_agent_moves_the_count_by_the_cap(
    radar, client, settings
):
    answers = [
        post(radar, "127.20.1.1", DE_LOGIN, agent=f"browser-{i}") for i in range(40)
    ]
    # Every report is kept and answered alike; three count.
    assert counted(answers) == settings.REPORTERS_PER_NETWORK == 3
    judge_two_minutes(radar)
    assert Report.objects.count() == 40
    assert not Incident.objects.exists()
    assert status_of(client)["level"] == "ok"


def test_twenty_addresses_in_one_network_count_as_one_network(radar, client):
    answers = [
        post(radar, f"127.20.2.{host}", DE_LOGIN, agent=f"browser-{agent}")
        for host in range(1, 21)
        for agent in range(2)
    ]
    assert counted(answers) == 3
    judge_two_minutes(radar)
    assert not Incident.objects.exists()
    assert status_of(client)["level"] == "ok"


def test_hundreds_of_addresses_in_one_block_are_counted_but_open_nothing(radar, client):
    # 300 addresses in 150 networks, all inside 127.30.0.0/16.
    answers = [
        post(radar, f"127.30.{net}.{host}", DE_LOGIN)
        for net in range(150)
        for host in (1, 2)
    ]
    assert counted(answers) == 300
    judge_two_minutes(radar)
    assert not Incident.objects.exists()
    status = status_of(client)
    assert status["level"] == "ok"
    # Seen, and shown as doubted, with where it came from.
    doubted = {d["region"]: d for d in status["doubted"]}
    assert doubted["DE"]["observed"] >= 300
    assert doubted["DE"]["networks"] == 150
    assert doubted["DE"]["largest_block_share"] == 1.0


def test_a_crowd_from_many_networks_opens_an_incident_within_two_cycles(radar, client):
    # 60 people, each in a block of their own, and an integrator forwarding
    # a hundred more on top, of which its allowance counts.
    answers = [
        post(radar, f"127.{40 + i}.{i}.{1 + i % 200}", DE_LOGIN) for i in range(60)
    ]
    assert counted(answers) == 60
    user = User.objects.create(username="statusbot")
    Integrator.objects.create(user=user, reporters_per_minute=10)
    token = Token.objects.create(user=user)
    status, batch = post(
        radar,
        "127.250.0.1",
        {"reports": [DE_LOGIN] * 100},
        path="/api/v1/reports/batch",
        Authorization=f"Token {token.key}",
    )
    assert status == 200 and batch["accepted"] == 100
    assert sum(r["counted"] for r in batch["results"]) == 10

    judge_two_minutes(radar)
    incident = Incident.objects.get()
    assert incident.state == Incident.State.ONGOING
    assert "DE" in {r["region"] for r in incident.regions}
    shown = client.get(f"/api/v1/incidents/{incident.pk}").json()
    # The crowd's 60 networks and the integrator's one.
    assert shown["networks"] == 61
    assert shown["largest_block_share"] == pytest.approx(10 / 70, abs=0.01)
    assert shown["integrators"] == [{"name": "statusbot", "reporters": 10}]
    assert status_of(client)["level"] == "outage"


def test_an_integrator_alone_cannot_open_an_incident(radar, client):
    user = User.objects.create(username="loudbot")
    token = Token.objects.create(user=user)
    answers = [
        post(
            radar,
            "127.251.0.1",
            {
                "reports": [
                    {**DE_LOGIN, "reporter": f"user-{batch}-{i}"} for i in range(100)
                ]
            },
            path="/api/v1/reports/batch",
            Authorization=f"Token {token.key}",
        )
        for batch in range(3)
    ]
    assert all(status == 200 for status, _ in answers)
    results = [r for _, body in answers for r in body["results"]]
    assert len(results) == 300
    # Its allowance a service and minute, whichever batch the entries are in
    # (the three batches may straddle a minute).
    assert sum(r["counted"] for r in results) in (20, 40)
    judge_two_minutes(radar)
    assert not Incident.objects.exists()
    doubted = status_of(client)["doubted"]
    assert {d["region"] for d in doubted} >= {"DE"}
    assert all(d["networks"] == 1 for d in doubted)

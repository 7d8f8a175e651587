from datetime import timedelta

import pytest
import redis
import time_machine
from django.utils import timezone

from outages.health import record_heartbeat
from tests.helpers.servers import redis_server


@pytest.fixture
def fresh_heartbeat(db):
    record_heartbeat(worker="celery@test")


def test_healthz_answers_while_the_process_is_up(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_readyz_is_ok_when_every_part_is_up(client, fresh_heartbeat):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json()["checks"] == {
        "database": "ok",
        "redis": "ok",
        "persistence": "ok",
        "worker": "ok",
        "bucketing": "ok",
    }
    assert response.json()["bucketing_lag_seconds"] == 0
    assert response.json()["intake_backlog"] == 0


def test_readyz_refuses_a_redis_that_does_not_sync_as_promised(
    client, fresh_heartbeat, settings, tmp_path
):
    with redis_server(tmp_path) as (_, url):
        settings.REDIS_URL = url
        redis.Redis.from_url(url).config_set("appendfsync", "everysec")
        response = client.get("/readyz")
        assert response.status_code == 503
        assert response.json()["down"] == ["persistence"]
        assert (
            "INTAKE_FSYNC promises 'always'" in response.json()["checks"]["persistence"]
        )
        settings.INTAKE_FSYNC = "everysec"
        assert client.get("/readyz").status_code == 200
        redis.Redis.from_url(url).config_set("appendonly", "no")
        response = client.get("/readyz")
    assert "append-only file is off" in response.json()["checks"]["persistence"]


def test_readyz_shows_the_backlog_waiting_in_the_intake_log(
    client, fresh_heartbeat, catalog
):
    with time_machine.travel(timezone.now() - timedelta(seconds=30)):
        client.post(
            "/api/v1/reports",
            {"service": "tiktok", "symptom": "login"},
            content_type="application/json",
        )
    body = client.get("/readyz").json()
    assert body["intake_backlog"] == 1
    assert 30 <= body["bucketing_lag_seconds"] < 60


def test_readyz_names_redis_when_the_real_redis_is_stopped(
    client, fresh_heartbeat, settings, tmp_path
):
    with redis_server(tmp_path) as (process, url):
        settings.REDIS_URL = url
        assert client.get("/readyz").status_code == 200
        process.terminate()
        process.wait(10)
        response = client.get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["down"] == ["redis", "persistence", "bucketing"]
    assert body["checks"]["redis"].startswith("unreachable")


def test_readyz_names_the_worker_when_its_heartbeat_is_stale(client, fresh_heartbeat):
    with time_machine.travel(timezone.now() + timedelta(minutes=3)):
        response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["down"] == ["worker"]
    assert "180 s ago" in response.json()["checks"]["worker"]


def test_readyz_names_the_worker_when_none_ever_beat(client, db):
    response = client.get("/readyz")
    assert response.status_code == 503
    assert "no heartbeat yet" in response.json()["checks"]["worker"]

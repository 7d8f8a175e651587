from datetime import timedelta

import pytest
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
        "worker": "ok",
        "bucketing": "ok",
    }
    assert response.json()["bucketing_lag_seconds"] == 0


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
    assert body["down"] == ["redis"]
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

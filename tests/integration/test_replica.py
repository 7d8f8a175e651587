"""A read replica: pages and the read API read from it, writes go to the
primary. The replica here is a copy of the test database that then drifts
from it, so each answer shows which database it came from."""

import json
import os
import subprocess
import sys
import urllib.error
import urllib.request
from contextlib import contextmanager

import psycopg
import pytest
from django.contrib.auth.models import User
from django.db import connection
from rest_framework.authtoken.models import Token

from outages.alerts.models import Webhook
from outages.catalog import load_catalog
from tests.helpers.servers import ROOT, database_url, free_port, wait_until

pytestmark = pytest.mark.django_db(transaction=True)


@contextmanager
def replica_of_the_test_database():
    primary = database_url()
    name = f"{connection.settings_dict['NAME']}_replica"
    admin = primary.rsplit("/", 1)[0].replace("postgres://", "postgresql://")
    connection.close()  # a template must have no other session
    with psycopg.connect(f"{admin}/postgres", autocommit=True) as pg:
        pg.execute(f'DROP DATABASE IF EXISTS "{name}"')
        pg.execute(
            f'CREATE DATABASE "{name}" TEMPLATE "{connection.settings_dict["NAME"]}"'
        )
    try:
        yield f"{primary.rsplit('/', 1)[0]}/{name}"
    finally:
        with psycopg.connect(f"{admin}/postgres", autocommit=True) as pg:
            pg.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def web(primary: str, replica: str):
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": primary,
        "DATABASE_REPLICA_URL": replica,
        "WEBHOOK_ALLOW_PRIVATE": "1",
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "config.wsgi", "-b", f"127.0.0.1:{port}"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until(lambda: _answers(f"{base}/healthz"), timeout=30)
        yield base
    finally:
        process.terminate()
        process.wait(20)


def _answers(url: str) -> bool:
    try:
        return fetch(url)[0] == 200
    except OSError:
        return False


def fetch(url: str, body: dict | None = None, token: str = "") -> tuple[int, str]:
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Token {token}"
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return answer.status, answer.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def test_reads_come_from_the_replica_and_writes_go_to_the_primary():
    load_catalog()
    token = Token.objects.create(user=User.objects.create_user("integrator")).key
    with replica_of_the_test_database() as replica:
        with psycopg.connect(replica.replace("postgres://", "postgresql://")) as db:
            db.execute(
                "UPDATE outages_service SET name = 'TikTok, as the replica has it' "
                "WHERE slug = 'tiktok'"
            )
        with web(database_url(), replica) as base:
            status, service = fetch(f"{base}/api/v1/services/tiktok")
            assert json.loads(service)["name"] == "TikTok, as the replica has it"
            status, page = fetch(f"{base}/s/tiktok/")
            assert status == 200 and "TikTok, as the replica has it" in page

            hook = {"url": "http://127.0.0.1:9/hook"}
            status, created = fetch(f"{base}/api/v1/webhooks", hook, token)
            assert status == 201, created
            # The write is on the primary, which the replica here never copies.
            assert Webhook.objects.filter(url=hook["url"]).exists()
            status, listed = fetch(f"{base}/api/v1/webhooks", token=token)
            assert status == 200 and json.loads(listed)["results"] == []

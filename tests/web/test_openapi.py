"""Schemathesis against the live schema: the API does what it documents.

Every operation is called with generated requests, valid and invalid: no
answer may be a 5xx, use an undocumented status code or content type, or
differ from its documented schema; invalid input must be refused.
"""

import subprocess
import sys
from pathlib import Path

import pytest
from rest_framework.authtoken.models import Token

from outages.alerts import destinations
from outages.catalog import load_catalog, lookup
from outages.models import Incident, Region, Service

ST = Path(sys.executable).with_name("st")


CONFIG = Path(__file__).with_name("schemathesis.toml")


@pytest.fixture
def radar(live_server, django_user_model, monkeypatch):
    # Every generated host is public: DNS, which this machine cannot reach.
    monkeypatch.setattr(destinations, "resolve", lambda host, port: ["192.0.43.10"])
    load_catalog()
    # The schema lists the catalog, and schemathesis's coverage phase tries
    # every value of a list: a small catalog lets it reach every operation
    # within its minute.
    Region.objects.filter(parent=None).exclude(code__in=["DE", "US"]).delete()
    Service.objects.exclude(slug__in=["tiktok", "x", "whatsapp"]).update(active=False)
    lookup.forget()
    tiktok = Service.objects.get(slug="tiktok")
    Incident.objects.create(
        service=tiktok,
        state=Incident.State.RESOLVED,
        scope=Incident.Scope.REGIONAL,
        opened_at="2026-11-24T10:00:00Z",
        resolved_at="2026-11-24T11:00:00Z",
        observed=60,
        expected=6,
        p_value=1e-12,
        peak_at="2026-11-24T10:20:00Z",
        peak_observed=90,
        peak_expected=6,
        symptoms={"login": 70.0, "other": 30.0},
        regions=[{"region": "DE", "observed": 60, "expected": 6}],
        updated_at="2026-11-24T11:00:00Z",
    )
    integrator = django_user_model.objects.create_user("integrator")
    return live_server, Token.objects.create(user=integrator).key


def operations(schema: dict) -> int:
    methods = {"get", "put", "post", "patch", "delete", "head", "options"}
    return sum(len(methods & set(item)) for item in schema["paths"].values())


def test_every_operation_keeps_to_its_schema(radar, tmp_path, client):
    server, token = radar
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    assert operations(schema) >= 11
    run = subprocess.run(
        [
            str(ST),
            f"--config-file={CONFIG}",
            "run",
            f"{server.url}/api/schema/",
            "--checks=all",
            f"--header=Authorization: Token {token}",
            "--max-time=60",
            "--workers=1",
            "--request-timeout=10",
            "--seed=1",
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=300,
    )
    output = run.stdout + run.stderr
    assert run.returncode == 0, output[-6000:]
    assert f"Tested: {operations(schema)}" in output, output[-3000:]

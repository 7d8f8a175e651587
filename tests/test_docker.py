"""The container setup in docker/, checked without a Docker engine.

The compose file goes through the real Compose parser, the Dockerfile through
hadolint, and the example environment through Django's deployment checks.
"""

import ast
import importlib.resources
import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest
from django.conf import settings

from tests.helpers.servers import free_port, wait_until

ROOT = Path(__file__).resolve().parent.parent
DOCKER = ROOT / "docker"
APP_SERVICES = {"web", "worker", "beat", "migrate"}


def compose_binary() -> Path:
    # The package's console script always exits 0, so call its binary direct.
    return Path(str(importlib.resources.files("compose") / "docker-compose"))


def hadolint_binary() -> Path:
    return Path(sysconfig.get_path("scripts")) / "hadolint"


def example_env() -> dict[str, str]:
    """The active KEY=VALUE lines of docker/.env.example."""
    env = {}
    for line in (DOCKER / ".env.example").read_text().splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            key, _, value = line.partition("=")
            env[key] = value
    return env


def filled_in_env() -> dict[str, str]:
    """The example with its secrets filled in, as the README tells one to."""
    return {
        **example_env(),
        "SECRET_KEY": secrets.token_urlsafe(50),
        "POSTGRES_PASSWORD": secrets.token_hex(24),
    }


def run_compose(directory: Path, *args: str) -> subprocess.CompletedProcess:
    # A bare environment: Compose lets shell variables override docker/.env.
    return subprocess.run(
        [compose_binary(), "-f", directory / "compose.yml", *args],
        cwd=directory,
        env={"PATH": os.environ["PATH"], "HOME": str(directory)},
        capture_output=True,
        text=True,
    )


def docker_copy(tmp_path: Path, env: dict[str, str]) -> Path:
    """docker/ copied next to a context directory, with its .env written."""
    directory = tmp_path / "docker"
    shutil.copytree(DOCKER, directory, ignore=shutil.ignore_patterns(".env"))
    lines = [f"{key}={value}" for key, value in env.items()]
    (directory / ".env").write_text("\n".join(lines) + "\n")
    return directory


@pytest.fixture
def deployment(tmp_path):
    """The compose project as Compose resolves it, and the env it read."""
    env = filled_in_env()
    result = run_compose(docker_copy(tmp_path, env), "config", "--format", "json")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout), env


def django_env() -> dict[str, str]:
    """Our environment with the example's on top: DATABASE_URL and REDIS_URL
    stay ours, since compose sets them and the example only mentions them."""
    return {**os.environ, **filled_in_env()}


def test_compose_file_is_valid_for_the_real_compose_parser(tmp_path):
    result = run_compose(docker_copy(tmp_path, filled_in_env()), "config", "--quiet")
    assert result.returncode == 0, result.stderr


def test_compose_refuses_to_start_until_the_postgres_password_is_set(tmp_path):
    result = run_compose(docker_copy(tmp_path, example_env()), "config", "--quiet")
    assert result.returncode != 0
    assert "set POSTGRES_PASSWORD in docker/.env" in result.stderr


def test_compose_runs_web_worker_beat_and_a_one_shot_migrate(deployment):
    config, _ = deployment
    services = config["services"]
    assert set(services) == APP_SERVICES | {"postgres", "redis"}
    assert services["web"]["command"] is None  # the image's gunicorn
    assert services["worker"]["command"][:4] == ["celery", "-A", "config", "worker"]
    assert services["beat"]["command"][:4] == ["celery", "-A", "config", "beat"]
    migrate = " ".join(services["migrate"]["command"])
    assert "manage.py migrate --noinput && python manage.py loadcatalog" in migrate
    assert "restart" not in services["migrate"]
    for name in services.keys() - {"migrate"}:
        assert services[name]["restart"] == "unless-stopped", name


def test_app_services_wait_for_migrate_and_for_healthy_postgres_and_redis(
    deployment,
):
    services = deployment[0]["services"]
    for name in ("web", "worker", "beat"):
        conditions = {
            dependency: spec["condition"]
            for dependency, spec in services[name]["depends_on"].items()
        }
        assert conditions == {
            "migrate": "service_completed_successfully",
            "postgres": "service_healthy",
            "redis": "service_healthy",
        }, name
    assert set(services["migrate"]["depends_on"]) == {"postgres", "redis"}
    assert services["postgres"]["healthcheck"]["test"][1] == "pg_isready"
    assert "redis-cli ping" in " ".join(services["redis"]["healthcheck"]["test"])


def test_app_services_share_one_image_and_reach_the_compose_databases(deployment):
    config, env = deployment
    password = env["POSTGRES_PASSWORD"]
    for name in APP_SERVICES:
        service = config["services"][name]
        assert service["image"] == "outage-radar:local", name
        assert service["build"]["dockerfile"] == "docker/Dockerfile", name
        assert service["environment"]["DATABASE_URL"] == (
            f"postgres://radar:{password}@postgres:5432/radar"
        )
        assert service["environment"]["REDIS_URL"] == "redis://redis:6379/0"
        assert service["environment"]["SECRET_KEY"] == env["SECRET_KEY"]
    assert config["services"]["postgres"]["environment"]["POSTGRES_PASSWORD"] == (
        password
    )


def test_web_is_published_on_the_configured_port(tmp_path):
    directory = docker_copy(tmp_path, {**filled_in_env(), "PORT": "8123"})
    result = run_compose(directory, "config", "--format", "json")
    assert result.returncode == 0, result.stderr
    [port] = json.loads(result.stdout)["services"]["web"]["ports"]
    assert (port["published"], port["target"]) == ("8123", 8000)


def test_redis_keeps_queued_tasks_on_a_named_volume_and_never_evicts(deployment):
    config, _ = deployment
    redis = config["services"]["redis"]
    command = redis["command"]
    assert command[command.index("--appendonly") + 1] == "yes"
    # The intake log is synced before each answer, and the app checks the
    # same promise.
    assert command[command.index("--appendfsync") + 1] == "always"
    assert config["services"]["web"]["environment"]["INTAKE_FSYNC"] == "always"
    assert command[command.index("--maxmemory-policy") + 1] == "noeviction"
    [volume] = redis["volumes"]
    assert (volume["type"], volume["target"]) == ("volume", "/data")
    assert volume["source"] in config["volumes"]


def test_postgres_keeps_its_data_on_a_named_volume(deployment):
    config, _ = deployment
    [volume] = config["services"]["postgres"]["volumes"]
    assert volume["type"] == "volume"
    assert volume["target"] == "/var/lib/postgresql/data"
    assert volume["source"] in config["volumes"]


def test_web_healthcheck_passes_against_gunicorn_with_the_example_settings(
    deployment, tmp_path
):
    """Run as in production: DEBUG off, HTTPS redirect on, real host names."""
    _, _, _, script = deployment[0]["services"]["web"]["healthcheck"]["test"]
    port = free_port()
    address = f"127.0.0.1:{port}"
    assert "127.0.0.1:8000" in script
    script = script.replace("127.0.0.1:8000", address)
    env = {**django_env(), "WEB_CONCURRENCY": "1"}
    log = tmp_path / "gunicorn.log"
    # As the image runs it: the app loaded before the port opens.
    gunicorn = ["gunicorn", "config.wsgi", "-c", "python:config.gunicorn"]
    gunicorn += ["--bind", address]
    with log.open("w") as log_file:
        server = subprocess.Popen(
            [sys.executable, "-m", *gunicorn],
            cwd=ROOT,
            env=env,
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
        try:
            wait_until(lambda: _accepts_connections(port), timeout=30)
            check = subprocess.run(
                [sys.executable, "-c", script],
                env=env,
                capture_output=True,
                text=True,
                timeout=30,
            )
        finally:
            server.terminate()
            server.wait(10)
    assert check.returncode == 0, check.stderr + log.read_text()


def _accepts_connections(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
    except OSError:
        return False
    return True


def test_dockerfile_passes_hadolint():
    result = subprocess.run(
        [hadolint_binary(), "--no-color", DOCKER / "Dockerfile"],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_image_runs_gunicorn_as_a_non_root_user():
    dockerfile = (DOCKER / "Dockerfile").read_text()
    final_stage = dockerfile.rsplit("\nFROM ", 1)[1]
    [user] = re.findall(r"^USER (\S+)", final_stage, re.MULTILINE)
    assert user.split(":")[0] not in {"root", "0"}
    assert '"gunicorn", "config.wsgi", "-c", "python:config.gunicorn"' in final_stage
    assert '"--bind", "0.0.0.0:8000"' in final_stage
    assert "EXPOSE 8000" in final_stage


def test_image_copies_every_project_package_the_settings_install():
    """A new app must be added to the Dockerfile's COPY lines, or the image
    would fail at start-up while every test here passes."""
    dockerfile = (DOCKER / "Dockerfile").read_text()
    copied = set()
    for sources in re.findall(r"^COPY (?!--from)(.+) \S+$", dockerfile, re.M):
        copied.update(sources.split())
    for path in copied:
        assert (ROOT / path).exists(), f"the Dockerfile copies a missing {path}"
    packages = {app.split(".")[0] for app in settings.INSTALLED_APPS}
    local = {name for name in packages if (ROOT / name).is_dir()} | {"config"}
    assert local <= copied
    assert {"manage.py", "pyproject.toml", "uv.lock"} <= copied
    assert ".venv" not in copied and "." not in copied


def test_env_example_names_every_variable_the_settings_read():
    tree = ast.parse((ROOT / "config" / "settings.py").read_text())
    read = {
        node.args[0].value
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and getattr(node.func, "id", "").startswith("env_")
        and node.args
        and isinstance(node.args[0], ast.Constant)
    }
    assert {"DEBUG", "SECRET_KEY", "DATABASE_URL"} <= read
    text = (DOCKER / ".env.example").read_text()
    named = set(re.findall(r"^#? ?([A-Z][A-Z0-9_]*)=", text, re.MULTILINE))
    assert read - named == set()


def test_the_example_secret_key_is_refused_until_replaced():
    result = subprocess.run(
        [sys.executable, "-c", "import config.settings"],
        cwd=ROOT,
        env={**os.environ, **example_env()},
        capture_output=True,
        text=True,
    )
    assert result.returncode != 0
    assert "SECRET_KEY must be a random string" in result.stderr


def test_deploy_check_is_clean_with_the_example_production_environment():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=django_env(),
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_image_installs_the_locked_front_end_libraries_before_collectstatic():
    """Leaflet and the atlases come from package-lock.json through `npm ci`
    in a Node stage, and reach the build stage before collectstatic."""
    dockerfile = (DOCKER / "Dockerfile").read_text()
    stages = re.split(r"^FROM ", dockerfile, flags=re.MULTILINE)[1:]
    [assets] = [s for s in stages if "npm ci" in s]
    name = re.match(r"\S+ AS (\S+)", assets).group(1)
    assert "COPY package.json package-lock.json ./" in assets
    assert "npm ci --omit=dev" in assets
    [build] = [s for s in stages if "collectstatic" in s]
    copied = build.index(f"COPY --from={name} /app/node_modules node_modules")
    assert copied < build.index("manage.py collectstatic")
    lock = json.loads((ROOT / "package-lock.json").read_text())
    assert (
        lock["packages"][""]["dependencies"]
        == json.loads((ROOT / "package.json").read_text())["dependencies"]
    )

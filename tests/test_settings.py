import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from config.env import env_bool, env_int, env_int_list, env_list

ROOT = Path(__file__).resolve().parent.parent


def import_settings(**env):
    """Import the settings in a fresh interpreter with `env` on top of ours."""
    return subprocess.run(
        [sys.executable, "-c", "import config.settings"],
        cwd=ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
    )


def test_settings_import_with_nothing_set():
    env = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY"}}
    result = subprocess.run(
        [sys.executable, "-c", "import config.settings"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr


def test_debug_off_refuses_the_default_secret_key():
    result = import_settings(DEBUG="0", SECRET_KEY="")
    assert result.returncode != 0
    assert "SECRET_KEY must be a random string" in result.stderr


def test_debug_off_starts_with_a_real_secret_key():
    result = import_settings(DEBUG="0", SECRET_KEY="k" * 50)
    assert result.returncode == 0, result.stderr


def test_a_debug_value_that_is_not_a_boolean_is_refused():
    result = import_settings(DEBUG="maybe")
    assert result.returncode != 0
    assert "DEBUG='maybe' is not a boolean" in result.stderr


def test_a_database_url_for_another_engine_is_refused():
    result = import_settings(DATABASE_URL="mysql://db/radar")
    assert "DATABASE_URL must be a postgres:// URL, not 'mysql'" in result.stderr


def test_a_redis_url_that_is_not_redis_is_refused():
    result = import_settings(REDIS_URL="http://127.0.0.1:6379")
    assert "REDIS_URL must be a redis://" in result.stderr


def test_env_int_refuses_words_and_values_below_the_minimum(monkeypatch):
    monkeypatch.setenv("HEARTBEAT_MAX_AGE_SECONDS", "two minutes")
    with pytest.raises(ImproperlyConfigured, match="is not a whole number"):
        env_int("HEARTBEAT_MAX_AGE_SECONDS", 120)
    monkeypatch.setenv("HEARTBEAT_MAX_AGE_SECONDS", "0")
    with pytest.raises(ImproperlyConfigured, match="below the minimum of 1"):
        env_int("HEARTBEAT_MAX_AGE_SECONDS", 120, minimum=1)


def test_env_readers_fall_back_to_defaults_and_parse_lists(monkeypatch):
    monkeypatch.delenv("SOME_FLAG", raising=False)
    monkeypatch.setenv("SOME_HOSTS", " a.example , b.example,,")
    assert env_bool("SOME_FLAG", True) is True
    assert env_list("SOME_HOSTS", "") == ["a.example", "b.example"]


def test_env_int_list_reads_whole_numbers_and_refuses_the_rest(monkeypatch):
    monkeypatch.setenv("WEBHOOK_RETRY_SECONDS", "1, 5,30")
    assert env_int_list("WEBHOOK_RETRY_SECONDS", "", minimum=1) == [1, 5, 30]
    monkeypatch.setenv("WEBHOOK_RETRY_SECONDS", "1,soon")
    with pytest.raises(ImproperlyConfigured, match="not a list of whole numbers"):
        env_int_list("WEBHOOK_RETRY_SECONDS", "")
    monkeypatch.setenv("WEBHOOK_RETRY_SECONDS", "0")
    with pytest.raises(ImproperlyConfigured, match="below the minimum of 1"):
        env_int_list("WEBHOOK_RETRY_SECONDS", "", minimum=1)


def test_a_redis_socket_is_named_for_celery_as_kombu_spells_it():
    code = "from config import settings; print(settings.CELERY_BROKER_URL)"
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**os.environ, "REDIS_URL": "unix:///run/radar/redis.sock?db=2"},
        capture_output=True,
        text=True,
    )
    assert (
        result.stdout.strip() == "redis+socket:///run/radar/redis.sock?virtual_host=2"
    )


def test_the_wsgi_application_loads_the_views_and_scipy_before_serving():
    """So no web worker's first visitor waits seconds for imports."""
    code = (
        "import sys, config.wsgi; "
        "print(all(m in sys.modules for m in "
        "('config.urls', 'outages.web.pages', 'reports.api', 'scipy.stats')))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings"},
        capture_output=True,
        text=True,
    )
    assert result.stdout.strip() == "True", result.stderr

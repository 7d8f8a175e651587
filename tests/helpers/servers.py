"""Real servers started by tests: a throwaway Redis and a Celery worker."""

import os
import socket
import subprocess
import sys
import time
import uuid
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

import redis
from django.db import connection

from config.celery import app as celery_app

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until(condition, timeout: float = 30.0, interval: float = 0.1):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        time.sleep(interval)
    raise TimeoutError(f"gave up after {timeout} s waiting for {condition}")


@contextmanager
def redis_server(directory: Path):
    """A Redis of its own, so a test may stop it without harming the others."""
    port = free_port()
    process = subprocess.Popen(
        [
            "redis-server",
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--dir",
            str(directory),
            # Persisting as the radar's own Redis does, so readiness holds.
            "--appendonly",
            "yes",
            "--appendfsync",
            "always",
        ],
        stdout=subprocess.DEVNULL,
    )
    client = redis.Redis(port=port)
    try:
        wait_until(lambda: _pings(client), timeout=10)
        yield process, f"redis://127.0.0.1:{port}/0"
    finally:
        process.terminate()
        process.wait(10)


def _pings(client) -> bool:
    try:
        return client.ping()
    except redis.ConnectionError:
        return False


def database_url() -> str:
    """The URL of the database the tests use (the test database, not run's)."""
    s = connection.settings_dict
    password = f":{s['PASSWORD']}" if s["PASSWORD"] else ""
    host = quote(s["HOST"], safe="")  # a socket's directory is a path
    return f"postgres://{s['USER']}{password}@{host}:{s['PORT']}/{s['NAME']}"


@contextmanager
def celery_worker(concurrency: int = 1, **env):
    """A real `celery worker` process on the test database and Redis.

    It leads a process group of its own, so a test can kill the worker and its
    pool children together, as a crash would.
    """
    name = f"test-{uuid.uuid4().hex[:8]}@localhost"
    celery_app.control.purge()
    command = ["celery", "-A", "config", "worker", "-n", name, "-c", str(concurrency)]
    process = subprocess.Popen(
        [sys.executable, "-m", *command, "--without-mingle", "--without-gossip"],
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": database_url(), **env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        wait_until(
            lambda: celery_app.control.ping(destination=[name], timeout=0.5),
            timeout=60,
        )
        yield process
    finally:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()

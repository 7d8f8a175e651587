"""The store scripts' `url` action, which make run and make test connect by."""

import socket
import subprocess
from pathlib import Path

import redis

ROOT = Path(__file__).resolve().parent.parent


def redis_url(directory: Path, port: int = 6399) -> str:
    done = subprocess.run(
        ["scripts/redis.sh", "url", str(directory), str(port)],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    )
    return done.stdout.strip()


def test_redis_without_a_socket_is_reached_over_tcp(tmp_path):
    assert redis_url(tmp_path) == "redis://127.0.0.1:6399/0"


def test_redis_with_a_socket_is_reached_over_it_whatever_its_path(tmp_path):
    directory = tmp_path / "a dir?with#odd chars"
    directory.mkdir()
    path = directory / "redis.sock"
    with socket.socket(socket.AF_UNIX) as listener:
        listener.bind(str(path))
        url = redis_url(directory)
    kwargs = redis.ConnectionPool.from_url(url).connection_kwargs
    assert kwargs["path"] == str(path)
    assert kwargs.get("db", 0) == 0

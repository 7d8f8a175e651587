"""Liveness and readiness: is each part the radar depends on answering?

Readiness asks PostgreSQL, Redis (and whether it syncs the intake log to disk
as configured) and the Celery worker (through the heartbeat the worker writes
on a schedule), and how far bucketing lags behind intake.
Each check returns None when the part is fine, or a short reason a person can
act on.
"""

from datetime import timedelta

import redis
from django.conf import settings
from django.db import connection
from django.db.models import Max
from django.utils import timezone

from config import redis as radar_redis
from outages.models import Heartbeat
from outages.pipeline import bucketing


def record_heartbeat(worker: str) -> None:
    Heartbeat.objects.update_or_create(
        worker=worker, defaults={"beat_at": timezone.now()}
    )


# A probe must answer quickly whether Redis is up, not wait for it.
PROBE_TIMEOUT = 1.0


def check_database() -> str | None:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception as exc:
        return f"unreachable: {exc}".strip()
    return None


def check_redis() -> str | None:
    try:
        radar_redis.client(PROBE_TIMEOUT).ping()
    except redis.RedisError as exc:
        return f"unreachable: {exc}"
    return None


def check_persistence() -> str | None:
    """Is Redis keeping the intake log on disk the way the app promises?"""
    want = settings.INTAKE_FSYNC
    try:
        config = radar_redis.client(PROBE_TIMEOUT).config_get("append*")
    except redis.ResponseError:
        # CONFIG renamed away (a managed Redis): the AOF flag is still in INFO.
        try:
            info = radar_redis.client(PROBE_TIMEOUT).info("persistence")
        except redis.RedisError as exc:
            return f"unknown: {exc}"
        return None if info.get("aof_enabled") else "the append-only file is off"
    except redis.RedisError as exc:
        return f"unknown: {exc}"
    if config.get("appendonly") != "yes":
        return "the append-only file is off: accepted reports could be lost"
    if config.get("appendfsync") != want:
        return (
            f"appendfsync is {config.get('appendfsync')!r}, "
            f"but INTAKE_FSYNC promises {want!r}"
        )
    return None


def check_worker() -> str | None:
    try:
        last = Heartbeat.objects.aggregate(last=Max("beat_at"))["last"]
    except Exception:
        return "unknown: the database is down"
    if last is None:
        return "no heartbeat yet: is a Celery worker and beat running?"
    age = timezone.now() - last
    if age > timedelta(seconds=settings.HEARTBEAT_MAX_AGE_SECONDS):
        return f"last heartbeat {int(age.total_seconds())} s ago"
    return None


def check_bucketing() -> str | None:
    try:
        lag = bucketing.bucketing_lag().total_seconds()
    except redis.RedisError:
        return "unknown: Redis is down"
    if lag > settings.BUCKETING_MAX_LAG_SECONDS:
        return f"{int(lag)} s behind: reports are waiting to be counted"
    return None


CHECKS = {
    "database": check_database,
    "redis": check_redis,
    "persistence": check_persistence,
    "worker": check_worker,
    "bucketing": check_bucketing,
}


def readiness() -> dict[str, str | None]:
    """Each part's problem, or None for the parts that are fine."""
    return {name: check() for name, check in CHECKS.items()}

"""Liveness and readiness: is each part the radar depends on answering?

Readiness asks PostgreSQL, Redis and the Celery worker (through the heartbeat
the worker writes on a schedule), and how far bucketing lags behind intake.
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
    except Exception:
        return "unknown: the database is down"
    if lag > settings.BUCKETING_MAX_LAG_SECONDS:
        return f"{int(lag)} s behind: reports are waiting to be counted"
    return None


CHECKS = {
    "database": check_database,
    "redis": check_redis,
    "worker": check_worker,
    "bucketing": check_bucketing,
}


def readiness() -> dict[str, str | None]:
    """Each part's problem, or None for the parts that are fine."""
    return {name: check() for name, check in CHECKS.items()}

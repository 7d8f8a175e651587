"""Liveness and readiness answers, for load balancers and orchestrators."""

import contextlib

import redis
from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache

from outages import health
from reports import log


def healthz(request):
    return JsonResponse({"status": "ok"})


@never_cache
def readyz(request):
    problems = health.readiness()
    down = [name for name, problem in problems.items() if problem]
    body = {
        "status": "unavailable" if down else "ok",
        "down": down,
        "checks": {name: problem or "ok" for name, problem in problems.items()},
    }
    if not problems["redis"]:
        # Read from Redis alone: while PostgreSQL is away, this is the backlog
        # waiting for it.
        with contextlib.suppress(redis.RedisError):
            backlog = log.backlog(health.PROBE_TIMEOUT)
            oldest = backlog.oldest or timezone.now()
            body["intake_backlog"] = backlog.entries
            body["bucketing_lag_seconds"] = round(
                max((timezone.now() - oldest).total_seconds(), 0.0), 3
            )
    return JsonResponse(body, status=503 if down else 200)

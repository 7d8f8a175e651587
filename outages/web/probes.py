"""Liveness and readiness answers, for load balancers and orchestrators."""

import contextlib

import redis
from django.http import JsonResponse
from django.views.decorators.cache import never_cache

from outages import health
from outages.pipeline import bucketing
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
            body["intake_backlog"] = backlog.reports
            body["bucketing_lag_seconds"] = round(
                bucketing.lag_of(backlog).total_seconds(), 3
            )
    return JsonResponse(body, status=503 if down else 200)

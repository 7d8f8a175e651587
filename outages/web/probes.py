"""Liveness and readiness answers, for load balancers and orchestrators."""

from django.http import JsonResponse
from django.views.decorators.cache import never_cache

from outages import health
from outages.pipeline import bucketing


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
    if not problems["database"]:
        body["bucketing_lag_seconds"] = round(
            bucketing.bucketing_lag().total_seconds(), 3
        )
    return JsonResponse(body, status=503 if down else 200)

"""What the radar says about a service right now, read from the buckets."""

import json
from datetime import datetime, timedelta

import redis as redis_errors
from django.db.models import Sum
from django.utils import timezone

from outages.detection.lifecycle import ONGOING, SUSPECTED
from outages.detection.significance import WINDOWS
from outages.models import Bucket
from reports import redis


def recent_reporters(
    service_id: int,
    region: str = Bucket.WORLDWIDE,
    minutes: int = 15,
    now: datetime | None = None,
) -> int:
    """Distinct people who reported the service in the last `minutes`."""
    now = now or timezone.now()
    since = now.replace(second=0, microsecond=0) - timedelta(minutes=minutes - 1)
    total = Bucket.objects.filter(
        service_id=service_id, region=region, minute__gte=since
    ).aggregate(total=Sum("reporters"))["total"]
    return total or 0


LEVELS = ("ok", "possible", "outage")
STATUS_KEY = "radar:status"
# A status older than this is no status: detection has stopped.
STATUS_TTL_SECONDS = 600


def level_of(state: int) -> str:
    """Problems while in an incident, possible problems while suspected."""
    return {ONGOING: "outage", SUSPECTED: "possible"}.get(state, "ok")


REGIONS_KEY = "radar:regions"


def publish(keys, detector) -> None:
    """Cache every service's level after a cycle, for pages and the API.

    Two keys: a small summary (each service's level and its elevated places,
    read by every page) and a hash of each service's places with any
    activity (read by its regional map).
    """
    fifteen = WINDOWS.index(15)
    observed = detector.window_observed[:, fifteen]
    expected = detector.window_expected[:, fifteen]
    services: dict[str, dict] = {}
    places: dict[str, dict] = {}
    for i, (service_id, region) in enumerate(keys):
        level = level_of(int(detector.states.state[i]))
        values = {
            "level": level,
            "observed": round(float(observed[i]), 2),
            "expected": round(float(expected[i]), 2),
        }
        if region and (values["observed"] or values["expected"] >= 0.01):
            places.setdefault(str(service_id), {})[region] = values
        if region and level == "ok":
            continue
        entry = services.setdefault(
            str(service_id),
            {"level": "ok", "observed": 0.0, "expected": 0.0, "regions": {}},
        )
        if region:
            entry["regions"][region] = values
        else:
            entry.update(values)
    for entry in services.values():
        # As with incidents, a service is as bad as its worst place.
        levels = [entry["level"], *(r["level"] for r in entry["regions"].values())]
        entry["level"] = max(levels, key=LEVELS.index)
    at = timezone.now().isoformat()
    body = {"at": at, "services": services}
    pipe = redis.client().pipeline(transaction=True)
    pipe.set(STATUS_KEY, json.dumps(body), ex=STATUS_TTL_SECONDS)
    pipe.delete(REGIONS_KEY)
    if places:
        pipe.hset(
            REGIONS_KEY,
            mapping={
                k: json.dumps({"at": at, "regions": v}) for k, v in places.items()
            },
        )
        pipe.expire(REGIONS_KEY, STATUS_TTL_SECONDS)
    pipe.execute()


def current() -> dict:
    """The last published status: {"at": ..., "services": {id: {...}}}."""
    try:
        raw = redis.client().get(STATUS_KEY)
    except redis_errors.RedisError:
        raw = None
    return json.loads(raw) if raw else {"at": None, "services": {}}


def service_regions(service_id: int) -> dict:
    """Each place with activity for the service: {"at": ..., "regions": {...}}."""
    try:
        raw = redis.client().hget(REGIONS_KEY, str(service_id))
    except redis_errors.RedisError:
        raw = None
    return json.loads(raw) if raw else {"at": None, "regions": {}}


def service_level(service_id: int, published: dict | None = None) -> dict:
    """One service's entry of the status (`published`, or the current one)."""
    published = published or current()
    entry = published["services"].get(str(service_id))
    return entry or {"level": "ok", "observed": 0.0, "expected": 0.0, "regions": {}}

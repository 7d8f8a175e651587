"""What the radar says about each service right now, as the last cycle left it.

After each detection cycle of a shard, the level (ok, possible, outage) and
the places of every service it judges are published to Redis; the pages and
the read API read them from there. A status that has not been renewed for
STATUS_TTL_SECONDS expires, and every level is then "unknown": a stopped
detector must never look like an all-clear.
"""

import json

import numpy as np
import redis as redis_errors
from django.utils import timezone

from config import redis
from outages.detection.detector import Detector
from outages.detection.lifecycle import ONGOING, SUSPECTED
from outages.detection.significance import WINDOWS
from outages.pipeline import shards

# Least to most severe; "unknown" is never published, only read.
LEVELS = ("unknown", "ok", "possible", "outage")
# What people are shown: reporters in the last 15 minutes against normal.
SUMMARY_WINDOW_MINUTES = 15
SUMMARY_WINDOW = WINDOWS.index(SUMMARY_WINDOW_MINUTES)
# Each shard publishes its services' part under keys of its own, named with
# the number of shards, so parts of an earlier split are never read with
# those of this one (`part_keys`).
STATUS_KEY = "radar:status"
REGIONS_KEY = "radar:regions"
# A cycle runs every minute: three missed ones mean detection has stopped.
STATUS_TTL_SECONDS = 180


def part_keys(shard: int) -> tuple[str, str]:
    """The shard's status and regions keys."""
    suffix = f"{shards.count()}:{shard}"
    return f"{STATUS_KEY}:{suffix}", f"{REGIONS_KEY}:{suffix}"


def level_of(state: int) -> str:
    """Problems while in an incident, possible problems while suspected."""
    return {ONGOING: "outage", SUSPECTED: "possible"}.get(state, "ok")


def publish(shard: int, keys, detector, assessment=None) -> None:
    """Cache the level of every service of the shard after its cycle, for
    pages and the API.

    Two keys: a small summary (each service's level and its elevated places,
    read by every page) and a hash of each service's places with any
    activity (read by its regional map). A rise that `assessment`
    (pipeline/concentration.py) doubts is shown as "ok", and listed under
    the service's "doubted" with where its reports came from.
    """
    observed = detector.window_observed[:, SUMMARY_WINDOW]
    expected = detector.window_expected[:, SUMMARY_WINDOW]
    doubted = assessment.doubted if assessment else frozenset()
    services: dict[str, dict] = {}
    places: dict[str, dict] = {}
    for i, (service_id, region) in enumerate(keys):
        level = level_of(int(detector.states.state[i]))
        values = {
            "level": "ok" if i in doubted else level,
            "observed": round(float(observed[i]), 2),
            "expected": round(float(expected[i]), 2),
        }
        if region and (values["observed"] or values["expected"] >= 0.01):
            places.setdefault(str(service_id), {})[region] = values
        if i in doubted:
            entry = services.setdefault(str(service_id), _quiet())
            entry["doubted"].append(
                {
                    "region": region,
                    "observed": values["observed"],
                    "expected": values["expected"],
                    **assessment.of(i).as_json(),
                }
            )
        if region and values["level"] == "ok":
            continue
        entry = services.setdefault(str(service_id), _quiet())
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
    status_key, regions_key = part_keys(shard)
    pipe = redis.client().pipeline(transaction=True)
    pipe.set(status_key, json.dumps(body), ex=STATUS_TTL_SECONDS)
    pipe.delete(regions_key)
    if places:
        pipe.hset(
            regions_key,
            mapping={
                k: json.dumps({"at": at, "regions": v}) for k, v in places.items()
            },
        )
        pipe.expire(regions_key, STATUS_TTL_SECONDS)
    pipe.execute()


def publish_quiet() -> None:
    """Every shard's status as after a cycle that found nothing."""
    for shard in range(shards.count()):
        publish(shard, [], Detector(0, bucket_minutes=1.0))


def possible_problems(keys, detector, assessment=None) -> dict[int, list[dict]]:
    """The services at "possible" (a series suspected, none in an incident,
    as `publish` shows them), each with its suspected places and their
    numbers ("" is the service worldwide)."""
    states = detector.states.state
    doubted = assessment.doubted if assessment else frozenset()
    observed = detector.window_observed[:, SUMMARY_WINDOW]
    expected = detector.window_expected[:, SUMMARY_WINDOW]
    in_outage = {keys[i][0] for i in np.flatnonzero(states == ONGOING)}
    found: dict[int, list[dict]] = {}
    for i in np.flatnonzero(states == SUSPECTED):
        service_id, region = keys[i]
        if service_id in in_outage or int(i) in doubted:
            continue
        found.setdefault(service_id, []).append(
            {
                "region": region,
                "observed": round(float(observed[i]), 2),
                "expected": round(float(expected[i]), 2),
            }
        )
    return found


def _quiet() -> dict:
    return {
        "level": "ok",
        "observed": 0.0,
        "expected": 0.0,
        "regions": {},
        "doubted": [],
    }


def current() -> dict:
    """The last published status: {"at": ..., "services": {id: {...}}}.

    The shards' parts together, as old as the oldest; while any shard's part
    has expired (its cycle has stopped) every level is unknown, as any
    service may be one of its.
    """
    names = [part_keys(shard)[0] for shard in range(shards.count())]
    try:
        parts = redis.client().mget(names)
    except redis_errors.RedisError:
        parts = [None]
    if not all(parts):
        return {"at": None, "services": {}}
    found = [json.loads(raw) for raw in parts]
    services = {}
    for part in found:
        services.update(part["services"])
    return {"at": min(part["at"] for part in found), "services": services}


def service_places(service_id: int) -> dict:
    """Each place with activity for the service: {"at": ..., "regions": {...}}."""
    try:
        raw = redis.client().hget(part_keys(shards.of(service_id))[1], str(service_id))
    except redis_errors.RedisError:
        raw = None
    return json.loads(raw) if raw else {"at": None, "regions": {}}


def service_level(service_id: int, published: dict | None = None) -> dict:
    """One service's entry of the status (`published`, or the current one)."""
    published = published or current()
    if published["at"] is None:
        return {**_quiet(), "level": "unknown"}
    return published["services"].get(str(service_id)) or _quiet()

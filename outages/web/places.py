"""Places as people read them: named, with their level, worst first.

Everything here comes from the status the last cycle published
(`pipeline.status`): a service's elevated places for its page and the API,
every place with activity for its regional map, and every place where some
service has problems for the outage map.
"""

from outages.catalog import lookup
from outages.models import Service
from outages.pipeline import status
from outages.pipeline.status import LEVELS


def ratio(observed: float, expected: float) -> float | None:
    return round(observed / expected, 2) if expected > 0 else None


def region_level(code: str, values: dict) -> dict:
    return {
        "code": code,
        "name": lookup.region_name(code),
        "kind": "subdivision" if "-" in code else "country",
        "level": values["level"],
        "observed": values["observed"],
        "expected": values["expected"],
        "ratio": ratio(values["observed"], values["expected"]),
    }


def worst_first(item: dict):
    return (-LEVELS.index(item["level"]), -(item["ratio"] or 0), item["code"])


def places_by_severity(regions: dict) -> list[dict]:
    """{code: {level, observed, expected}} as region_level()s, worst first."""
    return sorted(
        (region_level(code, values) for code, values in regions.items()),
        key=worst_first,
    )


def regional_map(service_id: int) -> dict:
    """Every place with activity for the service, worst first (its map)."""
    found = status.service_places(service_id)
    return {"at": found["at"], "regions": places_by_severity(found["regions"])}


def elevated_places() -> dict:
    """Every place where some service has possible problems or an outage."""
    published = status.current()
    services = {
        s.id: s
        for s in Service.objects.filter(
            id__in=[int(k) for k in published["services"]]
        ).only("slug", "name")
    }
    places: dict[str, list] = {}
    for service_id, entry in published["services"].items():
        service = services.get(int(service_id))
        if service is None:
            continue
        for code, values in entry["regions"].items():
            item = {
                "slug": service.slug,
                "name": service.name,
                "url": service.get_absolute_url(),
                **values,
            }
            places.setdefault(code, []).append(item)
    regions = []
    for code, items in places.items():
        items.sort(key=lambda i: (-LEVELS.index(i["level"]), i["name"]))
        worst = max(items, key=lambda i: (LEVELS.index(i["level"]), i["observed"]))
        region = region_level(code, worst)
        region["services"] = items
        regions.append(region)
    return {"at": published["at"], "regions": sorted(regions, key=worst_first)}

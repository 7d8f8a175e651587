"""Who borrows from whom: each series' parent, for `detection.borrowing`.

A subdivision ("DE-BY") borrows from its country ("DE"), a country from the
service's world series (""), and a world series from the typical service of
its category. A place whose parent has no series yet borrows from the world
series, or from nothing.
"""

import numpy as np

from outages.detection import borrowing
from outages.models import Service
from outages.pipeline.counts import Key


def family(keys: list[Key]) -> borrowing.Family:
    """The parents of the series `keys`, in their order (one query); groups
    are numbered as `groups()` names them."""
    categories = dict(Service.objects.values_list("id", "category"))
    groups = {name: g for g, name in enumerate(sorted(set(categories.values())))}
    index = {key: i for i, key in enumerate(keys)}
    parent = np.full(len(keys), -1, dtype=np.int64)
    group = np.full(len(keys), -1, dtype=np.int64)
    for i, (service_id, region) in enumerate(keys):
        if not region:
            group[i] = groups.get(categories.get(service_id), -1)
            continue
        country, dash, _ = region.partition("-")
        up = index.get((service_id, country)) if dash else None
        if up is None:
            up = index.get((service_id, ""))
        if up is not None:
            parent[i] = up
    return borrowing.family(parent, group)


def groups() -> list[str]:
    """The categories, in the order `family` numbers its groups."""
    return sorted(set(Service.objects.values_list("category", flat=True)))

"""Which shard of the detector's state judges a series.

The series are spread over DETECTOR_SHARDS shards by their service, so every
series of a service (the world, its countries, their subdivisions) is judged
in one shard: they borrow from each other, are weighed together for
concentration and make one incident. Each shard is a row of its own, locked
and advanced by its own task, so shards run side by side on whatever
workers there are.
"""

from django.conf import settings

from outages.pipeline.counts import Key


def count() -> int:
    return settings.DETECTOR_SHARDS


def of(service_id: int) -> int:
    """The shard that judges the service's series."""
    # Service ids are handed out in sequence, so the remainder spreads them
    # evenly, and PostgreSQL can pick a shard's buckets with the same sum.
    return service_id % count()


def mine(keys: list[Key], shard: int) -> list[Key]:
    return [key for key in keys if of(key[0]) == shard]

"""The one Redis connection pool the intake uses (limits, de-dup, salt)."""

from functools import lru_cache

import redis
from django.conf import settings


@lru_cache(maxsize=4)
def _client(url: str) -> redis.Redis:
    return redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)


def client() -> redis.Redis:
    return _client(settings.REDIS_URL)

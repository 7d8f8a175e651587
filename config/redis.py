"""The one Redis client factory: intake, status, health and the demo share it.

Clients are made once per process and timeout, each with its own connection
pool. The write path waits a little longer than a health probe, which must
answer quickly whether Redis is up.
"""

from functools import lru_cache

import redis
from django.conf import settings

# Seconds to connect and to wait for an answer.
DEFAULT_TIMEOUT = 2.0


@lru_cache(maxsize=8)
def _client(url: str, timeout: float) -> redis.Redis:
    return redis.Redis.from_url(
        url, socket_timeout=timeout, socket_connect_timeout=timeout
    )


def client(timeout: float = DEFAULT_TIMEOUT) -> redis.Redis:
    return _client(settings.REDIS_URL, timeout)

"""Rate limits and de-duplication, each decided atomically in Redis.

One script call per report checks both limits (the reporter's and its
network's) and, only if the report is admitted, claims the reporter's "first
report for this service" mark for the de-duplication window. Being one Redis
script, concurrent requests from one client cannot slip past the limit
between a read and a write.
"""

from dataclasses import dataclass
from functools import lru_cache

from django.conf import settings

from config import redis

WINDOW_SECONDS = 60

_ADMIT = """
local reporter = redis.call('INCR', KEYS[1])
if reporter == 1 then redis.call('EXPIRE', KEYS[1], ARGV[3]) end
local network = redis.call('INCR', KEYS[2])
if network == 1 then redis.call('EXPIRE', KEYS[2], ARGV[3]) end
if reporter > tonumber(ARGV[1]) then return {0, redis.call('TTL', KEYS[1])} end
if network > tonumber(ARGV[2]) then return {0, redis.call('TTL', KEYS[2])} end
if redis.call('SET', KEYS[3], '1', 'NX', 'EX', ARGV[4]) then return {1, 1} end
return {1, 0}
"""

# The batch's marks, one script call for up to BATCH_MAX_ITEMS keys: sending
# each SET as a command of its own cost more client CPU than storing the
# reports.
_CLAIM = """
local claimed = {}
for i, key in ipairs(KEYS) do
  claimed[i] = redis.call('SET', key, '1', 'NX', 'EX', ARGV[1]) and 1 or 0
end
return claimed
"""


@dataclass(frozen=True)
class Admission:
    admitted: bool
    first: bool = False  # the reporter's first for this service in the window
    retry_after: int = 0


def _dedup_key(service_id: int, reporter: str) -> str:
    return f"radar:first:{service_id}:{reporter}"


@lru_cache(maxsize=4)
def _admit_script(client):
    return client.register_script(_ADMIT)


@lru_cache(maxsize=4)
def _claim_script(client):
    return client.register_script(_CLAIM)


def admit(reporter: str, network: str, service_id: int) -> Admission:
    script = _admit_script(redis.client())
    admitted, value = script(
        keys=[
            f"radar:rate:reporter:{reporter}",
            f"radar:rate:network:{network}",
            _dedup_key(service_id, reporter),
        ],
        args=[
            settings.REPORTS_PER_MINUTE,
            settings.NETWORK_REPORTS_PER_MINUTE,
            WINDOW_SECONDS,
            settings.DEDUP_WINDOW_MINUTES * 60,
        ],
    )
    if not admitted:
        return Admission(admitted=False, retry_after=max(int(value), 1))
    return Admission(admitted=True, first=bool(value))


def claim_firsts(pairs: list[tuple[int, str]]) -> list[bool]:
    """Claim the "first report" mark for many (service, reporter) pairs."""
    if not pairs:
        return []
    script = _claim_script(redis.client())
    claimed = script(
        keys=[_dedup_key(s, r) for s, r in pairs],
        args=[settings.DEDUP_WINDOW_MINUTES * 60],
    )
    return [bool(ok) for ok in claimed]


def release_firsts(pairs: list[tuple[int, str]]) -> None:
    """Give back marks claimed for reports that were then not stored."""
    if pairs:
        redis.client().delete(*(_dedup_key(s, r) for s, r in pairs))


def reserve_idempotency_key(key: str) -> bool:
    """True if no other request with this key is being handled right now."""
    return bool(redis.client().set(f"radar:idem:{key}", "1", nx=True, ex=60))


def release_idempotency_key(key: str) -> None:
    redis.client().delete(f"radar:idem:{key}")

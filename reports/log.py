"""The intake log: a Redis stream that a report is on disk in before its 2xx.

One script call per request (a report or a whole batch) decides everything
the write path needs and appends the report in the same step: the idempotency
key's earlier answer, the backlog bound, the reporter's and the address's
rate limits, the de-duplication mark, what the network (or the integrator)
may still add to the count, the XADD, and the key's new answer.
Being one script it is atomic: no request slips between a check and its write,
and none is ever half accepted. Redis syncs its append-only file before it
replies (`appendfsync always`), so an answer means the report is durable;
bucketing then moves it to PostgreSQL exactly once (outages/pipeline/bucketing).
"""

from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache

from django.conf import settings

from config import redis

STREAM = "radar:intake"
WAITING = "radar:intake:waiting"  # reports in the log
RATE_WINDOW_SECONDS = 60
IDEMPOTENCY_SECONDS = 24 * 3600

# An entry's fields have one-letter names (service, symptom, country,
# subdivision, reporter, network, block, counted, source, time): a stream
# entry repeats its names unless they match the first entry of its node, and
# the backlog lives in memory.

# The reports waiting in the log are counted in a key of their own, since an
# entry holds one report or a whole batch. A log from before the count is
# counted by its entries once.
_WAITING = """
local function waiting(stream, size)
  local n = redis.call('GET', size)
  if n then return tonumber(n) end
  n = redis.call('XLEN', stream)
  redis.call('SET', size, n)
  return n
end
"""

_ACCEPT_ONE = (
    _WAITING
    + """
-- KEYS: stream, reporter rate, address rate, de-dup mark, idempotency ('' if
--       none), the network's counted reporters for the service, the count of
--       reports waiting
-- ARGV: reporter limit, address limit, network cap, rate window, de-dup
--       seconds, backlog bound, idempotency seconds, fingerprint,
--       then s y c d r w b o t
local idem = KEYS[5]
if idem ~= '' then
  local earlier = redis.call('GET', idem)
  if earlier then return {'replay', earlier} end
end
if waiting(KEYS[1], KEYS[7]) >= tonumber(ARGV[6]) then return {'full', 0} end
local reporter = redis.call('INCR', KEYS[2])
if reporter == 1 then redis.call('EXPIRE', KEYS[2], ARGV[4]) end
local address = redis.call('INCR', KEYS[3])
if address == 1 then redis.call('EXPIRE', KEYS[3], ARGV[4]) end
if reporter > tonumber(ARGV[1]) then
  return {'throttled', redis.call('TTL', KEYS[2])}
end
if address > tonumber(ARGV[2]) then
  return {'throttled', redis.call('TTL', KEYS[3])}
end
local counted = '0'
if redis.call('SET', KEYS[4], '1', 'NX', 'EX', ARGV[5]) then
  -- A first report of this reporter counts while its network has not yet
  -- given the service its share of reporters in this window.
  local seen = redis.call('INCR', KEYS[6])
  if seen == 1 then redis.call('EXPIRE', KEYS[6], ARGV[5]) end
  if seen <= tonumber(ARGV[3]) then counted = '1' end
end
local id = redis.call('XADD', KEYS[1], '*', 's', ARGV[9], 'y', ARGV[10],
  'c', ARGV[11], 'd', ARGV[12], 'r', ARGV[13], 'w', ARGV[14], 'b', ARGV[15],
  'n', counted, 'o', ARGV[16], 't', ARGV[17])
redis.call('INCR', KEYS[7])
if idem ~= '' then
  redis.call('SET', idem, ARGV[8] .. ' ' .. ARGV[17] .. ' ' .. id .. ':' .. counted,
    'EX', ARGV[7])
end
return {'ok', id .. ':' .. counted}
"""
)

# A batch is one entry: its reports packed in `m` (a line each, fields
# s y c d r w b apart by tabs) and whether each counts in `n` (a 1 or 0 each,
# in order); a report's id is the entry's with its position. One entry
# instead of a thousand costs Redis, the web process and bucketing a fraction
# of the work per report (docs/ingest.md).
_ACCEPT_BATCH = (
    _WAITING
    + """
-- KEYS: stream, idempotency ('' if none), the count of reports waiting, then
--       k allowance counters (one per service and minute), then one de-dup
--       mark per entry that names its reporter
-- ARGV: backlog bound, de-dup seconds, idempotency seconds, fingerprint,
--       source, time, allowance, k, the packed reports, then per report: 1 if
--       it has a mark, and its allowance counter (1..k, 0 for none)
local idem = KEYS[2]
if idem ~= '' then
  local earlier = redis.call('GET', idem)
  if earlier then return {'replay', earlier} end
end
local n = (#ARGV - 9) / 2
if waiting(KEYS[1], KEYS[3]) + n > tonumber(ARGV[1]) then return {'full', 0} end
local allowance, mark = tonumber(ARGV[7]), 4 + tonumber(ARGV[8])
local flags = {}
for i = 0, n - 1 do
  local a = 10 + i * 2
  local counted = '1'
  if ARGV[a] == '1' then
    counted = redis.call('SET', KEYS[mark], '1', 'NX', 'EX', ARGV[2]) and '1' or '0'
    mark = mark + 1
  end
  local counter = tonumber(ARGV[a + 1])
  if counted == '1' and counter > 0 then
    local used = redis.call('INCR', KEYS[3 + counter])
    if used == 1 then redis.call('EXPIRE', KEYS[3 + counter], 120) end
    if used > allowance then counted = '0' end
  end
  flags[i + 1] = counted
end
local counted = table.concat(flags)
local id = redis.call('XADD', KEYS[1], '*', 'm', ARGV[9], 'n', counted,
  'k', n, 'o', ARGV[5], 't', ARGV[6])
redis.call('INCRBY', KEYS[3], n)
local answer = id .. '/' .. counted
if idem ~= '' then
  redis.call('SET', idem, ARGV[4] .. ' ' .. ARGV[6] .. ' ' .. answer, 'EX', ARGV[3])
end
return {'ok', answer}
"""
)

# Trims the log up to and with `last` once bucketing has moved it, and counts
# off the number of reports moved (ARGV[2]) if it trimmed anything: a later
# pass may have trimmed those entries first, and as every trim is of a prefix
# up to a committed cursor, it then took all of them. Without the number
# (-1), it counts the reports of what it trims, the rare leftovers of a pass
# that died after its commit. A short log left behind is
# counted afresh: whatever made the count drift (a process of an older
# version during an upgrade, a hand-made XTRIM) is mended within a pass.
RECOUNT_BELOW = 64  # entries

_TRIM = (
    _WAITING
    + """
-- KEYS: stream, the count of reports waiting
-- ARGV: the smallest id to keep, reports moved up to it (-1: count them),
--       the length under which the log is counted afresh
local function reports_in(entries)
  local n = 0
  for _, entry in ipairs(entries) do
    local k = 1
    local fields = entry[2]
    for i = 1, #fields, 2 do
      if fields[i] == 'k' then k = tonumber(fields[i + 1]) end
    end
    n = n + k
  end
  return n
end
local moved = tonumber(ARGV[2])
if moved < 0 then
  moved = reports_in(redis.call('XRANGE', KEYS[1], '-', '(' .. ARGV[1]))
end
waiting(KEYS[1], KEYS[2])
local trimmed = redis.call('XTRIM', KEYS[1], 'MINID', ARGV[1])
if redis.call('XLEN', KEYS[1]) < tonumber(ARGV[3]) then
  redis.call('SET', KEYS[2], reports_in(redis.call('XRANGE', KEYS[1], '-', '+')))
elseif trimmed > 0 then
  redis.call('DECRBY', KEYS[2], moved)
end
return trimmed
"""
)


@dataclass(slots=True)
class Entry:
    """A report as the log holds it (an empty string for no country or
    subdivision, as Redis cannot hold a null)."""

    service_id: int
    symptom_id: int
    country: str | None
    subdivision: str | None
    reporter: str
    # Keyed hashes of the reporter's network and block (reports/reporters.py),
    # or "token:<id>" for both when an integrator sent it.
    network: str
    block: str


@dataclass(slots=True)
class Logged:
    """The log's answer for one report: its stream id and whether it counts."""

    id: str
    counted: bool


@dataclass(frozen=True)
class Outcome:
    """What the script decided for a request.

    `verdict` is "ok" (appended now), "replay" (the key's earlier answer),
    "throttled" or "full" (nothing appended).
    """

    verdict: str
    logged: tuple[Logged, ...] = ()
    created_at: datetime | None = None
    fingerprint: str = ""
    retry_after: int = 0


def _dedup_key(service_id: int, reporter: str) -> str:
    return f"radar:first:{service_id}:{reporter}"


def idempotency_key(scope: str, key: str) -> str:
    """The Redis key for a client's key: scoped, so clients cannot collide."""
    return f"radar:idem:{scope}:{key}"


def stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_stamp(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)


def batch_id(entry_id: str, position: int) -> str:
    """The id of a batch's report: its entry's, and where it stands in it."""
    return f"{entry_id}-{position}"


def _logged(joined: str) -> tuple[Logged, ...]:
    if "/" in joined:  # a batch: its entry id, then a 1 or 0 per report
        entry_id, flags = joined.split("/")
        return tuple(
            Logged(id=batch_id(entry_id, position), counted=flag == "1")
            for position, flag in enumerate(flags)
        )
    # A single report, or a batch answered before batches were one entry
    # (kept with its idempotency key for a day).
    answers = []
    for answer in joined.split(","):
        id_, counted = answer.rsplit(":", 1)
        answers.append(Logged(id=id_, counted=counted == "1"))
    return tuple(answers)


def _outcome(reply, fingerprint: str, created_at: datetime) -> Outcome:
    verdict, value = reply[0].decode(), reply[1]
    if verdict == "ok":
        return Outcome(
            "ok", _logged(value.decode()), created_at, fingerprint=fingerprint
        )
    if verdict == "replay":
        earlier, stamped, joined = value.decode().split(" ", 2)
        return Outcome(
            "replay", _logged(joined), parse_stamp(stamped), fingerprint=earlier
        )
    return Outcome(verdict, retry_after=max(int(value), 1))


def _values(entry: Entry) -> list:
    return [
        entry.service_id,
        entry.symptom_id,
        entry.country or "",
        entry.subdivision or "",
        entry.reporter,
        entry.network,
        entry.block,
    ]


@lru_cache(maxsize=4)
def _one_script(client):
    return client.register_script(_ACCEPT_ONE)


@lru_cache(maxsize=4)
def _batch_script(client):
    return client.register_script(_ACCEPT_BATCH)


@lru_cache(maxsize=4)
def _trim_script(client):
    return client.register_script(_TRIM)


def append_one(
    entry: Entry,
    address: str,
    source: str,
    created_at: datetime,
    idempotency: str = "",
    fingerprint: str = "",
) -> Outcome:
    """Admit and append one report; `idempotency` is a key made by
    `idempotency_key`, and `fingerprint` what the request said."""
    script = _one_script(redis.client())
    reply = script(
        keys=[
            STREAM,
            f"radar:rate:reporter:{entry.reporter}",
            f"radar:rate:network:{address}",
            _dedup_key(entry.service_id, entry.reporter),
            idempotency,
            f"radar:cap:{entry.service_id}:{entry.network}",
            WAITING,
        ],
        args=[
            settings.REPORTS_PER_MINUTE,
            settings.NETWORK_REPORTS_PER_MINUTE,
            settings.REPORTERS_PER_NETWORK,
            RATE_WINDOW_SECONDS,
            settings.DEDUP_WINDOW_MINUTES * 60,
            settings.INTAKE_BACKLOG_MAX_ENTRIES,
            IDEMPOTENCY_SECONDS,
            fingerprint,
            *_values(entry),
            source,
            stamp(created_at),
        ],
    )
    return _outcome(reply, fingerprint, created_at)


def append_batch(
    entries: list[tuple[Entry, bool]],
    source: str,
    created_at: datetime,
    idempotency: str = "",
    fingerprint: str = "",
    allowance: int = 0,
    scope: str = "",
) -> Outcome:
    """Append many reports in one script call, in order.

    Each entry comes with whether it is de-duplicated: an entry without a
    reporter of its own leaves no mark. With an `allowance`, at most that
    many entries a service and minute count for `scope` (an integrator's
    token), whichever batch they come in.
    """
    minute = created_at.astimezone(UTC).strftime("%Y%m%d%H%M")
    counters: dict[int, int] = {}
    if allowance:
        for entry, _ in entries:
            counters.setdefault(entry.service_id, len(counters) + 1)
    keys = [
        STREAM,
        idempotency,
        WAITING,
        *(f"radar:allow:{scope}:{s}:{minute}" for s in counters),
    ]
    args = [
        settings.INTAKE_BACKLOG_MAX_ENTRIES,
        settings.DEDUP_WINDOW_MINUTES * 60,
        IDEMPOTENCY_SECONDS,
        fingerprint,
        source,
        stamp(created_at),
        allowance,
        len(counters),
        "\n".join("\t".join(map(str, _values(entry))) for entry, _ in entries),
    ]
    for entry, deduplicated in entries:
        if deduplicated:
            keys.append(_dedup_key(entry.service_id, entry.reporter))
        args.append(1 if deduplicated else 0)
        args.append(counters.get(entry.service_id, 0))
    reply = _batch_script(redis.client())(keys=keys, args=args)
    return _outcome(reply, fingerprint, created_at)


def unpack(entry_id: str, fields: dict) -> list[tuple]:
    """An entry's reports as (id, s, y, c, d, r, w, b, counted), in order; the
    fields as Redis gives them (bytes)."""
    flags = fields[b"n"].decode()
    if b"m" not in fields:
        # Entries logged before reports carried their network have none.
        return [
            (
                entry_id,
                *(fields[name].decode() for name in (b"s", b"y", b"c", b"d", b"r")),
                fields.get(b"w", b"").decode(),
                fields.get(b"b", b"").decode(),
                flags == "1",
            )
        ]
    return [
        (batch_id(entry_id, position), *line.split("\t"), flag == "1")
        for position, (line, flag) in enumerate(
            zip(fields[b"m"].decode().split("\n"), flags, strict=True)
        )
    ]


def trim(up_to: str, moved: int = -1) -> int:
    """Trim the log up to and with entry `up_to`, `moved` reports in all if
    known; the number of entries trimmed."""
    milliseconds, sequence = up_to.split("-")
    keep = f"{milliseconds}-{int(sequence) + 1}"
    return _trim_script(redis.client())(
        keys=[STREAM, WAITING], args=[keep, moved, RECOUNT_BELOW]
    )


@dataclass(frozen=True)
class Backlog:
    """Reports in the log that bucketing has not moved yet (as far as Redis
    knows: entries are trimmed right after the move commits)."""

    reports: int
    oldest: datetime | None


def backlog(timeout: float | None = None) -> Backlog:
    client = redis.client(timeout) if timeout else redis.client()
    with client.pipeline(transaction=False) as pipe:
        pipe.get(WAITING)
        pipe.xlen(STREAM)
        pipe.xrange(STREAM, count=1)
        waiting, length, first = pipe.execute()
    if not first:
        return Backlog(0, None)
    reports = length if waiting is None else int(waiting)
    return Backlog(reports, parse_stamp(first[0][1][b"t"].decode()))

"""Accepting reports: the one write path, for the form, the API and batches.

A report is validated against the catalog (in memory, so the write path works
while PostgreSQL is away), then admitted, de-duplicated and appended to the
intake log in one Redis script call (reports/log.py). Success is returned only
once the log holds the report on disk; if Redis cannot take it the caller gets
`Unavailable`, never success.
"""

import hashlib
from dataclasses import dataclass
from datetime import datetime

import redis
from django.utils import timezone

from outages.catalog import lookup
from reports import log
from reports.models import Report
from reports.reporters import Reporter


class IntakeError(Exception):
    """The report itself is wrong: `errors` maps each field to a message."""

    def __init__(self, errors: dict[str, str]):
        super().__init__(errors)
        self.errors = errors


class Throttled(Exception):
    def __init__(self, retry_after: int):
        super().__init__(f"Too many reports; retry after {retry_after} s.")
        self.retry_after = retry_after


class Unavailable(Exception):
    """A part the write needs (PostgreSQL or Redis) is not answering."""

    def __init__(self, part: str):
        super().__init__(f"Reports cannot be stored right now ({part} unavailable).")
        self.part = part


class Backpressure(Exception):
    """The intake log is at its bound: bucketing must catch up first."""

    def __init__(self, retry_after: int = 30):
        super().__init__(
            f"Too many reports are waiting to be counted; retry after {retry_after} s."
        )
        self.retry_after = retry_after


class IdempotencyMismatch(Exception):
    """The key was already used for a different request."""


# The values a report passes through are slotted, not frozen: a batch makes
# several a report, and a frozen one takes twice as long to build.
@dataclass(slots=True)
class Draft:
    """A validated report, not yet stored."""

    service: str
    symptom: str
    region: str | None
    service_id: int
    symptom_id: int
    country: str | None
    subdivision: str | None


@dataclass(slots=True)
class Accepted:
    id: str  # the intake log's entry id, stable from the moment of the answer
    counted: bool
    service: str
    symptom: str
    region: str | None
    created_at: datetime
    replayed: bool = False


def validate(
    service: str, symptom: str, region: str | None, fallback_country: str | None
) -> Draft:
    """Check the slugs and region against the catalog, naming every bad field."""
    errors = {}
    service_id = lookup.service_id(service)
    if service_id is None:
        errors["service"] = f"Unknown service {service!r}."
    symptom_id = lookup.symptom_id(symptom)
    if symptom_id is None:
        errors["symptom"] = f"Unknown symptom {symptom!r}."
    place = None
    if region:
        place = lookup.place(region)
        if place is None:
            errors["region"] = (
                f"Unknown region {region!r}: use an ISO 3166 code "
                "such as 'DE' or 'US-CA'."
            )
    elif fallback_country:
        place = lookup.place(fallback_country)
    if errors:
        raise IntakeError(errors)
    return Draft(
        service=service,
        symptom=symptom,
        region=(place.subdivision or place.country) if place else None,
        service_id=service_id,
        symptom_id=symptom_id,
        country=place.country if place else None,
        subdivision=place.subdivision if place else None,
    )


def fingerprint(*parts) -> str:
    """What a request asked for, to tell a replay from a reused key."""
    return hashlib.blake2b(repr(parts).encode(), digest_size=12).hexdigest()


def _entry(draft: Draft, reporter: str, network: str, block: str) -> log.Entry:
    return log.Entry(
        service_id=draft.service_id,
        symptom_id=draft.symptom_id,
        country=draft.country,
        subdivision=draft.subdivision,
        reporter=reporter,
        network=network,
        block=block,
    )


def _answer(draft: Draft, logged: log.Logged, outcome: log.Outcome) -> Accepted:
    return Accepted(
        id=logged.id,
        counted=logged.counted,
        service=draft.service,
        symptom=draft.symptom,
        region=draft.region,
        created_at=outcome.created_at,
        replayed=outcome.verdict == "replay",
    )


def _decided(outcome: log.Outcome, asked: str) -> log.Outcome:
    """The outcome, or the refusal it stands for."""
    if outcome.verdict == "full":
        raise Backpressure()
    if outcome.verdict == "throttled":
        raise Throttled(outcome.retry_after)
    if outcome.verdict == "replay" and outcome.fingerprint != asked:
        raise IdempotencyMismatch(
            "This Idempotency-Key was already used for a different request."
        )
    return outcome


def _appended(call):
    try:
        return call()
    except redis.RedisError:
        # Unreachable, or out of memory (noeviction): nothing was appended.
        raise Unavailable("Redis") from None


def accept_report(
    draft: Draft,
    reporter: Reporter,
    source: str,
    idempotency_key: str | None = None,
    now: datetime | None = None,
    asked: tuple = (),
) -> Accepted:
    """Log one report; `now` is its time (the caller's clock, read once).

    An idempotency key is the client's (scoped to its reporter); `asked` is
    what its request said, so a reused key with a different request is told
    from a replay.
    """
    now = now or timezone.now()
    key = log.idempotency_key(reporter.key, idempotency_key) if idempotency_key else ""
    asked_print = fingerprint(*asked) if idempotency_key else ""
    outcome = _appended(
        lambda: log.append_one(
            _entry(draft, reporter.key, reporter.network, reporter.block),
            reporter.address,
            source,
            now,
            idempotency=key,
            fingerprint=asked_print,
        )
    )
    outcome = _decided(outcome, asked_print)
    return _answer(draft, outcome.logged[0], outcome)


@dataclass(slots=True)
class BatchItem:
    draft: Draft
    reporter: str  # already keyed: the reporter hash
    # Where it came from, for the detector's concentration check: for an
    # integrator's entries, the integrator itself (reports/api.py).
    network: str
    block: str
    # A reporter of its own (the integrator named nobody): no de-dup mark is
    # kept, since no later report could match it.
    anonymous: bool = False


def accept_batch(
    items: list[BatchItem],
    source: str = Report.Source.BATCH,
    idempotency_key: str | None = None,
    scope: str = "",
    asked: tuple = (),
    allowance: int = 0,
) -> list[Accepted]:
    """Log many validated reports in one script call, in the given order.

    With an idempotency key (scoped to `scope`, the API token), a retried
    batch gets the first answer and nothing is logged or counted twice. With
    an `allowance`, at most that many of the scope's entries count per
    service and minute.
    """
    if not items:
        return []
    key = log.idempotency_key(scope, idempotency_key) if idempotency_key else ""
    asked_print = fingerprint(*asked) if idempotency_key else ""
    entries = [
        (
            _entry(item.draft, item.reporter, item.network, item.block),
            not item.anonymous,
        )
        for item in items
    ]
    outcome = _appended(
        lambda: log.append_batch(
            entries,
            source,
            timezone.now(),
            idempotency=key,
            fingerprint=asked_print,
            allowance=allowance,
            scope=scope,
        )
    )
    outcome = _decided(outcome, asked_print)
    if len(outcome.logged) != len(items):
        # Same request, yet the catalog now rejects other entries than then.
        raise IdempotencyMismatch(
            "This Idempotency-Key was used for a batch that is no longer valid "
            "as a whole; send it with a new key."
        )
    return [
        _answer(item.draft, logged, outcome)
        for item, logged in zip(items, outcome.logged, strict=True)
    ]

"""Accepting reports: the one write path, for the form, the API and batches.

A report is validated against the catalog, admitted by the rate limits, marked
counted or not by de-duplication, and stored with its place in the bucketing
queue in one transaction. Success is returned only after that commit; if the
database cannot take the write the caller gets `Unavailable`, never success.
"""

import contextlib
from dataclasses import dataclass
from datetime import datetime

import redis
from django.db import DatabaseError, IntegrityError
from django.utils import timezone

from outages.catalog import lookup
from reports import storage, throttle
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


class IdempotencyConflict(Exception):
    """The key is in use by a request in flight, or by a different report."""


@dataclass(frozen=True)
class Draft:
    """A validated report, not yet stored."""

    service: str
    symptom: str
    region: str | None
    service_id: int
    symptom_id: int
    country: str | None
    subdivision: str | None


@dataclass(frozen=True)
class Accepted:
    id: int
    counted: bool
    service: str
    symptom: str
    region: str | None
    created_at: datetime


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


def _answer(report_id: int, counted: bool, draft: Draft, created_at) -> Accepted:
    return Accepted(
        id=report_id,
        counted=counted,
        service=draft.service,
        symptom=draft.symptom,
        region=draft.region,
        created_at=created_at,
    )


def _replay(key: str, draft: Draft) -> Accepted | None:
    """The answer first given for this idempotency key, if it was stored."""
    report = Report.objects.filter(idempotency_key=key).first()
    if report is None:
        return None
    same = (
        report.service_id,
        report.symptom_id,
        report.country_id,
        report.subdivision_id,
    ) == (
        draft.service_id,
        draft.symptom_id,
        draft.country,
        draft.subdivision,
    )
    if not same:
        raise IdempotencyConflict(
            "This Idempotency-Key was already used for a different report."
        )
    return _answer(report.pk, report.counted, draft, report.created_at)


def accept_report(
    draft: Draft,
    reporter: Reporter,
    source: str,
    idempotency_key: str | None = None,
    now: datetime | None = None,
) -> Accepted:
    """Store one report; `now` is its time (the caller's clock, read once)."""
    now = now or timezone.now()
    try:
        if idempotency_key:
            replayed = _replay(idempotency_key, draft)
            if replayed:
                return replayed
            if not throttle.reserve_idempotency_key(idempotency_key):
                raise IdempotencyConflict(
                    "A request with this Idempotency-Key is still being handled."
                )
        admission = throttle.admit(reporter.key, reporter.network, draft.service_id)
    except redis.RedisError:
        raise Unavailable("Redis") from None
    except DatabaseError:
        raise Unavailable("PostgreSQL") from None

    if not admission.admitted:
        _release(draft, reporter, False, idempotency_key)
        raise Throttled(admission.retry_after)
    try:
        accepted = _store(
            draft, reporter, source, admission.first, idempotency_key, now
        )
    except IntegrityError:
        # Another request stored this key first (its reservation expired):
        # give the answer it got.
        _release(draft, reporter, admission.first, idempotency_key)
        replayed = _replay(idempotency_key, draft) if idempotency_key else None
        if replayed is None:
            raise Unavailable("PostgreSQL") from None
        return replayed
    except DatabaseError:
        _release(draft, reporter, admission.first, idempotency_key)
        raise Unavailable("PostgreSQL") from None
    return accepted


def _store(draft, reporter, source, counted, idempotency_key, now) -> Accepted:
    row = storage.Row(
        service_id=draft.service_id,
        symptom_id=draft.symptom_id,
        country=draft.country,
        subdivision=draft.subdivision,
        reporter=reporter.key,
        counted=counted,
        idempotency_key=idempotency_key,
    )
    report_id = storage.insert_report(row, source, now)
    return _answer(report_id, counted, draft, now)


def _release(draft, reporter, first, idempotency_key) -> None:
    """Undo the Redis marks of a report that was not stored, so a retry counts."""
    with contextlib.suppress(redis.RedisError):
        if first:
            throttle.release_firsts([(draft.service_id, reporter.key)])
        if idempotency_key:
            throttle.release_idempotency_key(idempotency_key)


@dataclass(frozen=True)
class BatchItem:
    draft: Draft
    reporter: str  # already keyed: the reporter hash
    # A reporter of its own (the integrator named nobody): always counted, and
    # no de-dup mark is kept, since no later report could match it.
    anonymous: bool = False


def accept_batch(
    items: list[BatchItem], source: str = Report.Source.BATCH
) -> list[Accepted]:
    """Store many validated reports in one statement, in the given order."""
    if not items:
        return []
    now = timezone.now()
    pairs = [
        (item.draft.service_id, item.reporter) for item in items if not item.anonymous
    ]
    try:
        claimed = throttle.claim_firsts(pairs)
    except redis.RedisError:
        raise Unavailable("Redis") from None
    marks = iter(claimed)
    firsts = [item.anonymous or next(marks) for item in items]
    rows = [
        storage.Row(
            service_id=item.draft.service_id,
            symptom_id=item.draft.symptom_id,
            country=item.draft.country,
            subdivision=item.draft.subdivision,
            reporter=item.reporter,
            counted=first,
        )
        for item, first in zip(items, firsts, strict=True)
    ]
    try:
        ids = storage.insert_reports(rows, source, now)
    except DatabaseError:
        with contextlib.suppress(redis.RedisError):
            throttle.release_firsts(
                [p for p, first in zip(pairs, claimed, strict=True) if first]
            )
        raise Unavailable("PostgreSQL") from None
    return [
        _answer(id_, row.counted, item.draft, now)
        for id_, row, item in zip(ids, rows, items, strict=True)
    ]

"""Domain errors as API answers: each bad request gets a 4xx that says why.

Domain code raises plain exceptions; this handler gives them their status
codes, so no error from the write path can surface as a 500. The DRF views
get their answers through `handle_api_exception`, the plain single-report view
through `error_response`; both answer alike.
"""

import orjson
import redis
from django.core.exceptions import RequestDataTooBig
from django.db import DatabaseError
from django.http import HttpResponse
from rest_framework import exceptions, status
from rest_framework.views import exception_handler

from reports.intake import (
    Backpressure,
    IdempotencyMismatch,
    IntakeError,
    Throttled,
    Unavailable,
)

RETRY_UNAVAILABLE_SECONDS = 5


class PayloadTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "The request body is too large."


class ServiceUnavailable(exceptions.APIException):
    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_detail = "Reports cannot be stored right now; please retry shortly."


class Backlogged(ServiceUnavailable):
    def __init__(self, detail, retry_after: int):
        super().__init__(detail)
        self.wait = retry_after


class Unprocessable(exceptions.APIException):
    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY


def _as_api_exception(exc):
    if isinstance(exc, IntakeError):
        return exceptions.ValidationError({f: [m] for f, m in exc.errors.items()})
    if isinstance(exc, Throttled):
        return exceptions.Throttled(wait=exc.retry_after)
    if isinstance(exc, Unavailable):
        return ServiceUnavailable(str(exc))
    if isinstance(exc, DatabaseError):
        return ServiceUnavailable(
            "Reports cannot be stored right now (PostgreSQL unavailable)."
        )
    if isinstance(exc, redis.RedisError):
        return ServiceUnavailable(
            "Reports cannot be stored right now (Redis unavailable)."
        )
    if isinstance(exc, Backpressure):
        return Backlogged(str(exc), exc.retry_after)
    if isinstance(exc, IdempotencyMismatch):
        return Unprocessable(str(exc))
    if isinstance(exc, RequestDataTooBig):
        return PayloadTooLarge()
    return exc


def handle_api_exception(exc, context):
    exc = _as_api_exception(exc)
    response = exception_handler(exc, context)
    if response is None:
        return None
    # Plain strings: the schema's YAML renderer writes an ErrorDetail as a
    # mapping of its string and code.
    response.data = _plain(response.data)
    if response.status_code == 503:
        response["Retry-After"] = str(getattr(exc, "wait", RETRY_UNAVAILABLE_SECONDS))
    return response


def _plain(data):
    if isinstance(data, dict):
        return {key: _plain(value) for key, value in data.items()}
    if isinstance(data, list):
        return [_plain(value) for value in data]
    return str(data) if isinstance(data, str) else data


def json_response(data, status_code: int) -> HttpResponse:
    """`data` as compact UTF-8 JSON, as DRF's JSONRenderer writes it (orjson:
    a batch's answer has a thousand results)."""
    return HttpResponse(
        orjson.dumps(data), content_type="application/json", status=status_code
    )


def error_response(exc: Exception) -> HttpResponse | None:
    """The answer DRF's handler would give for `exc`; None for a real bug."""
    exc = _as_api_exception(exc)
    if not isinstance(exc, exceptions.APIException):
        return None
    detail = exc.detail
    response = json_response(
        detail if isinstance(detail, list | dict) else {"detail": detail},
        exc.status_code,
    )
    if exc.status_code == 503:
        response["Retry-After"] = str(RETRY_UNAVAILABLE_SECONDS)
    if getattr(exc, "wait", None):
        response["Retry-After"] = str(exc.wait)
    return response

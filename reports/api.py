"""The write endpoints: one report (the hot path) and a batch for integrators."""

import json
import secrets

import orjson
from django.conf import settings
from django.utils import timezone
from rest_framework import exceptions, status
from rest_framework.parsers import JSONParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.views import APIView

from reports import errors, intake, reporters, schema
from reports.errors import PayloadTooLarge
from reports.fields import BATCH_FIELDS, REPORT_FIELDS, read_report
from reports.models import Report
from reports.tokens import RememberedTokenAuthentication

REPORT_MAX_BYTES = 2 * 1024
BATCH_MAX_BYTES = 512 * 1024


def _refuse_large_bodies(request, limit: int) -> None:
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        raise exceptions.ParseError("Content-Length is not a number.") from None
    if length > limit:
        raise PayloadTooLarge(f"The request body is over the limit of {limit} bytes.")


def as_json(accepted: intake.Accepted) -> dict:
    """The answer for a stored report (docs/api.md)."""
    return {
        "id": accepted.id,
        "counted": accepted.counted,
        "service": accepted.service,
        "symptom": accepted.symptom,
        "region": accepted.region,
        "created_at": accepted.created_at.isoformat().replace("+00:00", "Z"),
    }


def _idempotency_key(request) -> str | None:
    # From META: request.headers would copy every header on each report.
    key = request.META.get("HTTP_IDEMPOTENCY_KEY")
    if key is None:
        return None
    if not (1 <= len(key) <= 100 and key.isascii() and key.isprintable()):
        raise exceptions.ValidationError(
            {"Idempotency-Key": ["Use 1 to 100 printable ASCII characters."]}
        )
    return key


@schema.report_schema
class ReportCreateApi(APIView):
    """Report a problem with a service: POST /api/v1/reports.

    A DRF view to the schema, served as a plain Django one: on the path every
    report takes, DRF's request wrapping, content negotiation, parsing and
    rendering cost a sixth of the CPU of a report. It takes JSON only and
    answers as the DRF views do, errors included (reports.errors).
    """

    parser_classes = [JSONParser]

    def dispatch(self, request, *args, **kwargs):
        # `request` is Django's HttpRequest: DRF's Request is never built.
        if request.method != "POST":
            response = errors.error_response(
                exceptions.MethodNotAllowed(request.method)
            )
            response["Allow"] = "POST"
            return response
        try:
            return self.post(request)
        except Exception as exc:
            response = errors.error_response(exc)
            if response is None:
                raise
            return response

    def post(self, request):
        _refuse_large_bodies(request, REPORT_MAX_BYTES)
        key = _idempotency_key(request)
        fields = read_report(_json_body(request, REPORT_MAX_BYTES), REPORT_FIELDS)
        # One clock for the reporter's day and the report's time.
        now = timezone.now()
        reporter = reporters.identify(request, now.date())
        draft = intake.validate(
            fields["service"],
            fields["symptom"],
            fields.get("region"),
            fallback_country=reporter.country,
        )
        accepted = intake.accept_report(
            draft,
            reporter,
            source=Report.Source.API,
            idempotency_key=key,
            now=now,
            asked=(fields["service"], fields["symptom"], fields.get("region")),
        )
        response = errors.json_response(as_json(accepted), status.HTTP_201_CREATED)
        if accepted.replayed:
            response["Idempotent-Replayed"] = "true"
        return response


def _json_body(request, limit: int):
    """The request's JSON document, refused as DRF's JSONParser would."""
    body = request.body
    if not body:
        return {}  # as DRF: no body, no fields, whatever the content type
    if request.content_type != "application/json":
        raise exceptions.UnsupportedMediaType(request.META.get("CONTENT_TYPE", ""))
    # A body sent without a Content-Length was not checked before reading.
    if len(body) > limit:
        raise PayloadTooLarge(f"The request body is over the limit of {limit} bytes.")
    try:
        if request.encoding and request.encoding.lower() not in ("utf-8", "utf8"):
            body = body.decode(request.encoding)
        # orjson, as strict as DRF's parser (no NaN or Infinity), and a batch
        # of a thousand reports parses in a quarter of the time.
        return orjson.loads(body)
    except (ValueError, LookupError) as exc:  # LookupError: an unknown charset
        raise exceptions.ParseError(f"JSON parse error - {exc}") from None


def _batch_item(raw, salt: bytes, token: str) -> intake.BatchItem:
    """Validate one batch entry; its errors are the entry's, not the batch's.

    The integrator answers for its entries: to detection they all come from
    one network, its own.
    """
    fields = read_report(raw, BATCH_FIELDS)
    draft = intake.validate(
        fields["service"],
        fields["symptom"],
        fields.get("region"),
        fallback_country=None,
    )
    person = fields.get("reporter")
    if person is None:
        # Without an id of the person, every entry counts as a reporter of its
        # own: a random id, shaped like a reporter hash.
        return intake.BatchItem(
            draft=draft,
            reporter=secrets.token_hex(16),
            network=f"token:{token}",
            block=f"token:{token}",
            anonymous=True,
        )
    return intake.BatchItem(
        draft=draft,
        reporter=reporters.keyed_hash(salt, "batch", token, person),
        network=f"token:{token}",
        block=f"token:{token}",
    )


@schema.batch_schema
class ReportBatchApi(APIView):
    """Forward many reports at once (for integrators, with an API token)."""

    authentication_classes = [RememberedTokenAuthentication]
    permission_classes = [IsAuthenticated]

    def post(self, request):
        _refuse_large_bodies(request, BATCH_MAX_BYTES)
        # Django's request: DRF's content_type keeps the header's parameters.
        body = _json_body(request._request, BATCH_MAX_BYTES)
        entries = body.get("reports") if isinstance(body, dict) else None
        if not isinstance(entries, list) or not entries:
            raise exceptions.ValidationError(
                {"reports": ["Send a non-empty list of reports under 'reports'."]}
            )
        if len(body) > 1:
            message = "Unknown field; a batch has only 'reports'."
            raise exceptions.ValidationError(
                {name: [message] for name in body if name != "reports"}
            )
        if len(entries) > settings.BATCH_MAX_ITEMS:
            raise exceptions.ValidationError(
                {"reports": [f"At most {settings.BATCH_MAX_ITEMS} reports per batch."]}
            )
        key = _idempotency_key(request)
        salt = reporters.daily_salt(timezone.now().date())
        token = str(request.user.pk)
        items, results = [], [None] * len(entries)
        for index, raw in enumerate(entries):
            try:
                items.append((index, _batch_item(raw, salt, token)))
            except intake.IntakeError as exc:
                results[index] = {
                    "index": index,
                    "status": "rejected",
                    "errors": {f: [m] for f, m in exc.errors.items()},
                }
        accepted = intake.accept_batch(
            [item for _, item in items],
            idempotency_key=key,
            scope=f"token:{token}",
            # Serialising a thousand entries is paid only by a request that
            # can be replayed.
            asked=(json.dumps(entries, sort_keys=True),) if key else (),
            allowance=request.auth.allowance,
        )
        if accepted:
            # One moment for the whole batch: written once.
            created_at = as_json(accepted[0])["created_at"]
        for (index, _), report in zip(items, accepted, strict=True):
            results[index] = {
                "index": index,
                "status": "accepted",
                "id": report.id,
                "counted": report.counted,
                "service": report.service,
                "symptom": report.symptom,
                "region": report.region,
                "created_at": created_at,
            }
        response = errors.json_response(
            {
                "accepted": len(accepted),
                "rejected": len(entries) - len(accepted),
                "results": results,
            },
            status.HTTP_200_OK if accepted else status.HTTP_400_BAD_REQUEST,
        )
        if accepted and accepted[0].replayed:
            response["Idempotent-Replayed"] = "true"
        return response

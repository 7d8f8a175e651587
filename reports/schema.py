"""How the write endpoints appear in the OpenAPI schema.

The views check fields by hand (a serializer cost more than the rest of the
write path); these serializers only describe the same shapes to clients, the
fields' from their one definition in `reports.fields`.
"""

from django.conf import settings
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers

from config.openapi import BAD_REQUEST, error
from reports.fields import BATCH_FIELDS, REPORT_FIELDS


def _described(name: str, fields) -> type[serializers.Serializer]:
    return type(
        name,
        (serializers.Serializer,),
        {
            f.name: serializers.CharField(
                max_length=f.max_length, required=f.required, help_text=f.help
            )
            for f in fields
        },
    )


ReportIn = _described("ReportIn", REPORT_FIELDS)
BatchItemIn = _described("BatchItemIn", BATCH_FIELDS)


ID_HELP = (
    "The report's entry in the intake log (`<milliseconds>-<sequence>`), "
    "stable from the moment of the answer."
)


class ReportOut(serializers.Serializer):
    id = serializers.CharField(help_text=ID_HELP)
    counted = serializers.BooleanField(
        help_text="False for a repeat from the same reporter within the window."
    )
    service = serializers.CharField()
    symptom = serializers.CharField()
    region = serializers.CharField(allow_null=True)
    created_at = serializers.DateTimeField()


class BatchIn(serializers.Serializer):
    # A ListField, not `many=True`: the schema then says minItems/maxItems.
    reports = serializers.ListField(
        child=BatchItemIn(),
        min_length=1,
        max_length=settings.BATCH_MAX_ITEMS,
        help_text="1 to BATCH_MAX_ITEMS reports.",
    )


def items_refused_alone(result, generator, request, public):
    """Say in the schema what the batch endpoint does: an item that is not a
    valid report is refused alone, in its result, and the others are still
    taken; only the batch's own shape (a list of 1 to BATCH_MAX_ITEMS) is
    checked as a whole."""
    batch = result["components"]["schemas"].get("BatchInRequest")
    if batch:
        reports = batch["properties"]["reports"]
        reports["items"] = {"anyOf": [reports["items"], {}]}
    return result


class BatchResult(serializers.Serializer):
    index = serializers.IntegerField()
    status = serializers.ChoiceField(["accepted", "rejected"])
    id = serializers.CharField(
        required=False,
        help_text=(
            "The batch's entry in the intake log and the report's place among "
            "the accepted ones (`<milliseconds>-<sequence>-<n>`), stable from "
            "the moment of the answer."
        ),
    )
    counted = serializers.BooleanField(required=False)
    service = serializers.CharField(required=False)
    symptom = serializers.CharField(required=False)
    region = serializers.CharField(required=False, allow_null=True)
    created_at = serializers.DateTimeField(required=False)
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()), required=False
    )


class BatchOut(serializers.Serializer):
    accepted = serializers.IntegerField()
    rejected = serializers.IntegerField()
    results = BatchResult(many=True)


WRITE_ERRORS = {
    **BAD_REQUEST,
    413: error("The body is over the size limit."),
    415: error("The body is not application/json."),
    422: error("The Idempotency-Key was already used for a different request."),
    503: error(
        "Redis cannot take the report, or too many wait to be counted "
        "(Retry-After); nothing was stored."
    ),
}

IDEMPOTENCY_KEY = OpenApiParameter(
    "Idempotency-Key",
    # 1 to 100 printable ASCII characters; HTTP drops a space at either end.
    {"type": "string", "pattern": "^[!-~]([ -~]{0,98}[!-~])?$"},
    OpenApiParameter.HEADER,
    description=(
        "Kept 24 hours: a retry with the same key and body gets the original "
        "answer (with `Idempotent-Replayed: true`) and nothing is stored twice."
    ),
)

report_schema = extend_schema(
    request=ReportIn,
    parameters=[IDEMPOTENCY_KEY],
    responses={
        201: ReportOut,
        **WRITE_ERRORS,
        429: error("Too many reports from this reporter or network."),
    },
)

batch_schema = extend_schema(
    request=BatchIn,
    parameters=[IDEMPOTENCY_KEY],
    responses={
        200: BatchOut,
        **WRITE_ERRORS,
        401: error("No valid API token."),
    },
)

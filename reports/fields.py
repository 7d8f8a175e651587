"""A report's fields: the one definition the check, the schema and the docs use.

The single report is checked by hand against these (a serializer cost more
than the rest of the write path), the OpenAPI schema's serializers are built
from them (`reports.schema`), and a test holds docs/api.md to them.
"""

from dataclasses import dataclass

from reports.intake import IntakeError


@dataclass(frozen=True)
class Field:
    name: str
    required: bool
    max_length: int
    help: str


REPORT_FIELDS = (
    Field("service", True, 50, "A service's slug."),
    Field("symptom", True, 50, "A symptom's slug."),
    Field("region", False, 10, '"US" or "US-CA"; default: the country of the address.'),
)
BATCH_FIELDS = (
    *REPORT_FIELDS,
    Field(
        "reporter",
        False,
        200,
        "Your opaque id of the person: their repeats count once.",
    ),
)


def read_report(raw, spec: tuple[Field, ...]) -> dict[str, str]:
    """The fields of a report given as a JSON object, or an IntakeError naming
    each bad one."""
    if not isinstance(raw, dict):
        raise IntakeError({"non_field_errors": "Send a report as a JSON object."})
    fields, errors = {}, {}
    for field in spec:
        value = raw.get(field.name)
        if value is None or value == "":
            if field.required:
                errors[field.name] = "This field is required."
        elif not isinstance(value, str) or len(value) > field.max_length:
            errors[field.name] = (
                f"Must be a string of at most {field.max_length} characters."
            )
        else:
            fields[field.name] = value
    if len(raw) > len(fields):
        # A misspelt optional field would otherwise pass unseen: a "regoin"
        # would leave the report in the country of the address.
        names = [field.name for field in spec]
        for name in raw.keys() - set(names):
            errors[name] = f"Unknown field; a report has {', '.join(names)}."
    if errors:
        raise IntakeError(errors)
    return fields

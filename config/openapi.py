"""Error answers as the OpenAPI schema declares them, shared by all endpoints."""

from drf_spectacular.utils import OpenApiResponse, inline_serializer
from rest_framework import serializers

# {"detail": "..."} or {"<field>": ["<message>", ...]}: either way, every key
# names what is wrong.
_error = inline_serializer(
    "Error",
    fields={
        "detail": serializers.CharField(
            required=False, help_text="What is wrong, when no single field is."
        )
    },
)


def error(description: str) -> OpenApiResponse:
    return OpenApiResponse(_error, description=description)


BAD_REQUEST = {
    400: error("A query parameter or field is invalid; the body says which.")
}
NOT_FOUND = {404: error("No such service or incident.")}


def empty_means_absent(result, generator, request, public):
    """Say in the schema what the read API does: a query parameter sent empty
    (`?q=`, as an HTML form sends a blank field) counts as left out."""
    for path in result.get("paths", {}).values():
        operation = path.get("get")
        for parameter in (operation or {}).get("parameters", []):
            if parameter.get("in") == "query":
                parameter["allowEmptyValue"] = True
    return result

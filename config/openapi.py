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


def closed_bodies(result, generator, request, public):
    """Say in the schema what every write endpoint does: a field of a request
    body that is not listed is a 400 naming it (a report's, a batch's, a
    webhook's), never ignored."""
    for name, schema in result["components"]["schemas"].items():
        if name.endswith("Request") and "properties" in schema:
            schema["additionalProperties"] = False
    return result


def empty_means_absent(result, generator, request, public):
    """Say in the schema what the read API does: a query parameter sent empty
    (`?q=`, as an HTML form sends a blank field) counts as left out."""
    for path in result.get("paths", {}).values():
        operation = path.get("get")
        for parameter in (operation or {}).get("parameters", []):
            if parameter.get("in") == "query":
                parameter["allowEmptyValue"] = True
    return result


# Query parameters and request fields that take a catalog value, and the
# component that lists the values. A client (or a generator of test requests)
# then knows which services, symptoms and regions the API accepts.
CATALOG_FIELDS = {
    "service": "ServiceSlug",
    "symptom": "SymptomSlug",
    "region": "Region",
}
# Words a parameter takes besides the catalog's codes.
EXTRA_VALUES = {("/api/v1/incidents", "region"): ["worldwide"]}


def catalog_enums(result, generator, request, public):
    """List the catalog in the schema: its active services, its symptoms and
    the regions reports are counted in (countries and first-level
    subdivisions; a deeper code is also taken, counted in its first level)."""
    from django.db import DatabaseError

    from outages.catalog import lookup

    try:
        services, symptoms = lookup.service_slugs(), lookup.symptom_slugs()
        regions = lookup.region_codes()
    except DatabaseError:
        # No catalog to read (`manage.py check` before migrating): the
        # fields stay plain strings.
        return result
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas["ServiceSlug"] = _enum("A service's slug.", services)
    schemas["SymptomSlug"] = _enum("A symptom's slug.", symptoms)
    schemas["Region"] = _enum(
        "An ISO 3166 country or first-level subdivision code.", regions
    )
    for route, path in result.get("paths", {}).items():
        for operation in path.values():
            for parameter in operation.get("parameters", []):
                name = parameter["name"]
                if parameter["in"] == "query" and name in CATALOG_FIELDS:
                    extra = EXTRA_VALUES.get((route, name), [])
                    parameter["schema"] = _catalog(parameter["schema"], name, extra)
    for component, schema in schemas.items():
        if component.endswith("Request"):
            for name, field in schema.get("properties", {}).items():
                if name in CATALOG_FIELDS:
                    # A field that may be blank ("" for everywhere) says so.
                    extra = [] if field.get("minLength") else [""]
                    schema["properties"][name] = _catalog(field, name, extra)
    return result


def _enum(description: str, values: list[str]) -> dict:
    return {"type": "string", "enum": values, "description": description}


def _catalog(schema: dict, name: str, extra: list[str]) -> dict:
    choices = [{"$ref": f"#/components/schemas/{CATALOG_FIELDS[name]}"}]
    if extra:
        choices.append({"type": "string", "enum": extra})
    kept = {k: schema[k] for k in ("description", "nullable") if k in schema}
    if schema.get("default") in extra:
        kept["default"] = schema["default"]
    return {"anyOf" if extra else "allOf": choices, **kept}

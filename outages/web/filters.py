"""Query filters of the read API's lists."""

from datetime import UTC

import django_filters
from django.core.exceptions import ValidationError
from django.db.models import CharField, F, Func, Q, Value
from drf_spectacular.utils import extend_schema_field

from outages.catalog import lookup
from outages.models import Incident, Service
from outages.pipeline import status


def search_services(queryset, query: str):
    """Services whose name, slug or an alias contains `query`."""
    # PostgreSQL cannot compare text with a NUL in it; no name holds one.
    query = query.replace("\x00", "").strip()[:100]
    if not query:
        return queryset
    return queryset.annotate(
        alias_text=Func(
            F("aliases"),
            Value(" "),
            function="array_to_string",
            output_field=CharField(),
        )
    ).filter(
        Q(name__icontains=query)
        | Q(slug__icontains=query)
        | Q(alias_text__icontains=query)
    )


@extend_schema_field({"type": "string", "pattern": "^[^\\u0000]*$"})
class TextFilter(django_filters.CharFilter):
    """Free text, which Django refuses with a NUL character in it."""


class ServiceFilter(django_filters.FilterSet):
    q = TextFilter(method="search", label="Name, slug or alias contains this text.")
    category = django_filters.ChoiceFilter(choices=Service.Category.choices)
    level = django_filters.ChoiceFilter(
        choices=[(level, level) for level in status.LEVELS],
        method="at_level",
        label="Only services at this level now.",
    )

    class Meta:
        model = Service
        fields = ["q", "category", "level"]

    def search(self, queryset, name, value):
        return search_services(queryset, value)

    def at_level(self, queryset, name, value):
        published = status.current()
        if published["at"] is None:
            # Detection has stopped: every service's level is unknown.
            return queryset if value == "unknown" else queryset.none()
        levels = published["services"]
        troubled = [int(k) for k, v in levels.items() if v["level"] != "ok"]
        if value == "ok":
            return queryset.exclude(id__in=troubled)
        return queryset.filter(
            id__in=[int(k) for k, v in levels.items() if v["level"] == value]
        )


def known_service(value: str) -> None:
    if lookup.service_id(value) is None:
        raise ValidationError("Unknown service %(value)r.", params={"value": value})


def known_region(value: str) -> None:
    if value.strip().upper() not in ("", "WORLDWIDE") and not lookup.place(value):
        raise ValidationError(
            "Unknown region %(value)r: use an ISO 3166 code such as DE or US-CA, "
            "or worldwide.",
            params={"value": value},
        )


class UtcDateTimeField(django_filters.fields.IsoDateTimeField):
    def to_python(self, value):
        value = super().to_python(value)
        try:
            return value and value.astimezone(UTC)
        except OverflowError:  # 0001-01-01 at +01:00 is before year 1 in UTC
            message = "Datetime value out of range."
            raise ValidationError(message, code="range") from None


class UtcDateTimeFilter(django_filters.IsoDateTimeFilter):
    """A moment in any offset, compared in UTC (PostgreSQL refuses some offsets)."""

    field_class = UtcDateTimeField


@extend_schema_field({"type": "string", "enum": ["true", "false"]})
class TrueOrFalse(django_filters.TypedChoiceFilter):
    """ "true" or "false", as a query string spells them."""


class IncidentFilter(django_filters.FilterSet):
    service = django_filters.CharFilter(
        field_name="service__slug",
        validators=[known_service],
        label="The service's slug.",
    )
    region = django_filters.CharFilter(
        method="in_region",
        validators=[known_region],
        label="Only incidents that affected this region (worldwide for global ones).",
    )
    state = django_filters.ChoiceFilter(choices=Incident.State.choices)
    since = UtcDateTimeFilter(
        method="open_since", label="Only incidents still open at or after this time."
    )
    until = UtcDateTimeFilter(
        field_name="opened_at",
        lookup_expr="lte",
        label="Only incidents opened at or before this time.",
    )
    # A choice, not a BooleanFilter: that one ignores a value it cannot read
    # instead of answering 400.
    false_alarm = TrueOrFalse(
        choices=[("true", "true"), ("false", "false")],
        coerce=lambda value: value == "true",
        label="Only incidents an operator called a false alarm (true), or not.",
    )

    class Meta:
        model = Incident
        fields = ["service", "region", "state", "since", "until", "false_alarm"]

    def in_region(self, queryset, name, value):
        code = value.strip().upper()
        if code == "WORLDWIDE":
            code = ""
        elif place := lookup.place(code):
            # A deeper code (FR-75C) counts under its first-level
            # subdivision (FR-IDF), as its reports do.
            code = place.subdivision or place.country
        return queryset.filter(regions__contains=[{"region": code}])

    def open_since(self, queryset, name, value):
        return queryset.filter(Q(resolved_at__isnull=True) | Q(resolved_at__gte=value))

"""The read API: services, their status, series and regions, incidents, the map.

Every answer is cached for a few seconds in each web process, so a crowd of
readers during an outage costs the database and Redis almost nothing and
leaves them to the write path.
"""

from base64 import b64decode
from datetime import UTC
from urllib.parse import parse_qs

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import get_object_or_404
from django.utils.dateparse import parse_datetime
from django.utils.decorators import method_decorator
from django.views.decorators.cache import cache_page
from drf_spectacular.utils import extend_schema
from rest_framework import generics
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import CursorPagination, LimitOffsetPagination
from rest_framework.response import Response
from rest_framework.views import APIView

from config.openapi import BAD_REQUEST, NOT_FOUND
from outages.catalog import lookup
from outages.models import Incident, Service
from outages.pipeline import status
from outages.web import places, serializers
from outages.web.filters import IncidentFilter, ServiceFilter
from outages.web.points import RESOLUTIONS, points

cached = method_decorator(
    cache_page(settings.READ_CACHE_SECONDS, cache="local"), name="get"
)


class Page(LimitOffsetPagination):
    """limit/offset pages; unlike DRF's, a bad number is a 400, not ignored."""

    default_limit = 50
    max_limit = 500
    max_offset = 1_000_000_000

    def get_limit(self, request):
        limit = self.limit_query_param
        return _number(request, limit, self.default_limit, 1, self.max_limit)

    def get_offset(self, request):
        return _number(request, self.offset_query_param, 0, 0, self.max_offset)

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        limit, offset = parameters
        limit["schema"].update(minimum=1, maximum=self.max_limit)
        offset["schema"].update(minimum=0, maximum=self.max_offset)
        return parameters


class IncidentPage(CursorPagination):
    """Incidents newest first, in pages from a cursor: an incident opened
    while a client pages through does not shift what it sees next."""

    ordering = ("-opened_at", "-id")
    page_size = 50
    page_size_query_param = "limit"
    max_page_size = 500

    def get_page_size(self, request):
        return _number(request, "limit", self.page_size, 1, self.max_page_size)

    invalid_cursor_message = (
        "Not a cursor this API gave, or no longer a page: follow an answer's "
        "next or previous link."
    )

    def decode_cursor(self, request):
        # DRF's decoding drops what is not base64, so that garbage reads as
        # the first page, and takes any text as the position, which then
        # fails in the query: a cursor is checked as one this API makes.
        cursor = super().decode_cursor(request)
        encoded = request.query_params.get(self.cursor_query_param)
        if cursor is None or not encoded:
            return cursor
        try:
            tokens = parse_qs(b64decode(encoded, validate=True).decode("ascii"))
            if not tokens.keys() & {"o", "r", "p"}:
                raise ValueError
            if cursor.position is not None:
                parse_datetime(cursor.position).astimezone(UTC)
        except (ValueError, AttributeError, OverflowError):
            raise NotFound(self.invalid_cursor_message) from None
        return cursor

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == "limit":
                parameter["schema"].update(minimum=1, maximum=self.max_page_size)
        return parameters


def _number(request, name: str, default: int, low: int, high: int) -> int:
    given = request.query_params.getlist(name)
    if not given:
        return default
    raw = given[-1]
    if len(given) > 1 or not (raw.isascii() and raw.isdigit()):
        raise ValidationError({name: [f"Give one whole number from {low} to {high}."]})
    value = int(raw)
    if not low <= value <= high:
        raise ValidationError({name: [f"Must be from {low} to {high}, not {value}."]})
    return value


class ReadApi:
    """A read endpoint: a parameter given empty counts as left out, as an HTML
    form sends a field nobody filled in (`?q=`); one given twice is a 400, not
    whichever came last."""

    def initial(self, request, *args, **kwargs):
        query = request._request.GET
        if any("" in values for _, values in query.lists()):
            kept = query.copy()
            for name, values in query.lists():
                filled = [v for v in values if v != ""]
                if filled:
                    kept.setlist(name, filled)
                else:
                    del kept[name]
            request._request.GET = query = kept
        twice = [name for name, values in query.lists() if len(values) > 1]
        if twice:
            raise ValidationError({name: [f"Give {name} once."] for name in twice})
        super().initial(request, *args, **kwargs)


def not_found(request, path=""):
    """Any other path under /api/: a JSON 404, as the API's own."""
    return JsonResponse(
        {"detail": f"No API endpoint at {request.path!r}: see /api/docs/."},
        status=404,
    )


def _service(slug: str) -> Service:
    return get_object_or_404(Service, slug=slug, active=True)


@cached
@extend_schema(responses={200: serializers.ServiceSerializer(many=True), **BAD_REQUEST})
class ServiceListApi(ReadApi, generics.ListAPIView):
    """Services with their current level, those in trouble first."""

    serializer_class = serializers.ServiceSerializer
    filterset_class = ServiceFilter
    pagination_class = Page
    queryset = Service.objects.filter(active=True).order_by("name")

    def list(self, request, *args, **kwargs):
        published = status.current()
        services = list(self.filter_queryset(self.get_queryset()))
        rank = status.LEVELS.index
        services.sort(
            key=lambda s: -rank(status.service_level(s.id, published)["level"])
        )
        page = self.paginate_queryset(services)
        context = {**self.get_serializer_context(), "published": published}
        data = self.get_serializer(page, many=True, context=context).data
        return self.get_paginated_response(data)


@cached
@extend_schema(responses={200: serializers.ServiceSerializer, **NOT_FOUND})
class ServiceDetailApi(ReadApi, APIView):
    """One service and its current level."""

    def get(self, request, slug):
        service = _service(slug)
        data = serializers.ServiceSerializer(
            service, context={"published": status.current(), "request": request}
        ).data
        return Response(data)


@cached
@extend_schema(responses={200: serializers.ServiceStatusSerializer, **NOT_FOUND})
class ServiceStatusApi(ReadApi, APIView):
    """Is it down? The level, reports against normal, the open incident."""

    def get(self, request, slug):
        service = _service(slug)
        published = status.current()
        entry = status.service_level(service.id, published)
        incident = service.incidents.filter(state=Incident.State.ONGOING).first()
        body = {
            "service": service.slug,
            "level": entry["level"],
            "observed": entry["observed"],
            "expected": entry["expected"],
            "window_minutes": status.SUMMARY_WINDOW_MINUTES,
            "at": published["at"],
            "incident": incident,
            "regions": places.places_by_severity(entry["regions"]),
            "doubted": entry.get("doubted", []),
        }
        context = {"request": request}
        return Response(serializers.ServiceStatusSerializer(body, context=context).data)


@cached
@extend_schema(
    parameters=[serializers.SeriesQuerySerializer],
    responses={200: serializers.SeriesSerializer, **BAD_REQUEST, **NOT_FOUND},
)
class ServiceSeriesApi(ReadApi, APIView):
    """Reports per bucket over a window, with the expected band."""

    def get(self, request, slug):
        service = _service(slug)
        query = serializers.SeriesQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        q = query.validated_data
        symptom = q.get("symptom")
        found = points(
            service.id,
            q["start"],
            q["end"],
            RESOLUTIONS[q["resolution"]],
            region=q["region"],
            symptom_id=lookup.symptom_id(symptom) if symptom else None,
        )
        body = {
            "service": service.slug,
            "region": q["region"],
            "symptom": symptom,
            "resolution": q["resolution"],
            "start": q["start"],
            "end": q["end"],
            "points": [p.__dict__ for p in found],
        }
        return Response(serializers.SeriesSerializer(body).data)


@cached
@extend_schema(responses={200: serializers.ServiceRegionsSerializer, **NOT_FOUND})
class ServiceRegionsApi(ReadApi, APIView):
    """Each place with reports for the service: observed, expected, level."""

    def get(self, request, slug):
        service = _service(slug)
        body = {"service": service.slug, **places.regional_map(service.id)}
        return Response(serializers.ServiceRegionsSerializer(body).data)


@cached
@extend_schema(
    responses={
        200: serializers.IncidentSerializer(many=True),
        **BAD_REQUEST,
        **NOT_FOUND,
    }
)
class IncidentListApi(ReadApi, generics.ListAPIView):
    """Incidents, newest first."""

    serializer_class = serializers.IncidentSerializer
    filterset_class = IncidentFilter
    pagination_class = IncidentPage
    queryset = Incident.objects.select_related("service")


@cached
@extend_schema(responses={200: serializers.IncidentDetailSerializer, **NOT_FOUND})
class IncidentDetailApi(ReadApi, generics.RetrieveAPIView):
    """One incident with its timeline."""

    serializer_class = serializers.IncidentDetailSerializer
    queryset = Incident.objects.select_related("service").prefetch_related("updates")


@cached
@extend_schema(responses={200: serializers.MapSerializer})
class MapApi(ReadApi, APIView):
    """Every place where some service has possible problems or an outage."""

    def get(self, request):
        context = {"request": request}
        return Response(
            serializers.MapSerializer(places.elevated_places(), context=context).data
        )

"""The read API: services, their status, series and regions, incidents, the map.

Every answer is cached for a few seconds in each web process, so a crowd of
readers during an outage costs the database and Redis almost nothing and
leaves them to the write path.
"""

from django.conf import settings
from django.shortcuts import get_object_or_404
from django.utils.decorators import method_decorator
from django.views.decorators.cache import cache_page
from drf_spectacular.utils import extend_schema
from rest_framework import generics
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.response import Response
from rest_framework.views import APIView

from config.openapi import BAD_REQUEST, NOT_FOUND
from outages import readings, serializers, status
from outages.catalog import lookup
from outages.filters import IncidentFilter, ServiceFilter
from outages.models import Incident, Service

cached = method_decorator(
    cache_page(settings.READ_CACHE_SECONDS, cache="local"), name="get"
)


class Page(LimitOffsetPagination):
    default_limit = 50
    max_limit = 500


def _service(slug: str) -> Service:
    return get_object_or_404(Service, slug=slug, active=True)


@cached
@extend_schema(responses={200: serializers.ServiceSerializer(many=True), **BAD_REQUEST})
class ServiceListApi(generics.ListAPIView):
    """Services with their current level, those in trouble first."""

    serializer_class = serializers.ServiceSerializer
    filterset_class = ServiceFilter
    pagination_class = Page
    queryset = Service.objects.filter(active=True).order_by("name")

    def list(self, request, *args, **kwargs):
        levels = status.current()["services"]
        services = list(self.filter_queryset(self.get_queryset()))
        rank = status.LEVELS.index
        services.sort(key=lambda s: -rank(levels.get(str(s.id), {}).get("level", "ok")))
        page = self.paginate_queryset(services)
        data = self.get_serializer(page, many=True, context={"levels": levels}).data
        return self.get_paginated_response(data)


@cached
@extend_schema(responses={200: serializers.ServiceSerializer, **NOT_FOUND})
class ServiceDetailApi(APIView):
    """One service and its current level."""

    def get(self, request, slug):
        service = _service(slug)
        levels = status.current()["services"]
        data = serializers.ServiceSerializer(
            service, context={"levels": levels, "request": request}
        ).data
        return Response(data)


@cached
@extend_schema(responses={200: serializers.ServiceStatusSerializer, **NOT_FOUND})
class ServiceStatusApi(APIView):
    """Is it down? The level, reports against normal, the open incident."""

    def get(self, request, slug):
        service = _service(slug)
        published = status.current()
        entry = status.service_level(service.id)
        incident = service.incidents.filter(state=Incident.State.ONGOING).first()
        elevated = [
            readings.region_level(code, values)
            for code, values in entry["regions"].items()
        ]
        body = {
            "service": service.slug,
            "level": entry["level"],
            "observed": entry["observed"],
            "expected": entry["expected"],
            "window_minutes": 15,
            "at": published["at"],
            "incident": incident,
            "regions": sorted(elevated, key=readings.worst_first),
        }
        return Response(serializers.ServiceStatusSerializer(body).data)


@cached
@extend_schema(
    parameters=[serializers.SeriesQuerySerializer],
    responses={200: serializers.SeriesSerializer, **BAD_REQUEST, **NOT_FOUND},
)
class ServiceSeriesApi(APIView):
    """Reports per bucket over a window, with the expected band."""

    def get(self, request, slug):
        service = _service(slug)
        query = serializers.SeriesQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        q = query.validated_data
        symptom = q.get("symptom")
        points = readings.series(
            service.id,
            q["start"],
            q["end"],
            readings.RESOLUTIONS[q["resolution"]],
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
            "points": [p.__dict__ for p in points],
        }
        return Response(serializers.SeriesSerializer(body).data)


@cached
@extend_schema(responses={200: serializers.ServiceRegionsSerializer, **NOT_FOUND})
class ServiceRegionsApi(APIView):
    """Each place with reports for the service: observed, expected, level."""

    def get(self, request, slug):
        service = _service(slug)
        body = {"service": service.slug, **readings.service_regions(service.id)}
        return Response(serializers.ServiceRegionsSerializer(body).data)


@cached
@extend_schema(
    responses={200: serializers.IncidentSerializer(many=True), **BAD_REQUEST}
)
class IncidentListApi(generics.ListAPIView):
    """Incidents, newest first."""

    serializer_class = serializers.IncidentSerializer
    filterset_class = IncidentFilter
    pagination_class = Page
    queryset = Incident.objects.select_related("service").order_by("-opened_at", "-id")


@cached
@extend_schema(responses={200: serializers.IncidentDetailSerializer, **NOT_FOUND})
class IncidentDetailApi(generics.RetrieveAPIView):
    """One incident with its timeline."""

    serializer_class = serializers.IncidentDetailSerializer
    queryset = Incident.objects.select_related("service").prefetch_related("updates")


@cached
@extend_schema(responses={200: serializers.MapSerializer})
class MapApi(APIView):
    """Every place where some service has possible problems or an outage."""

    def get(self, request):
        return Response(serializers.MapSerializer(readings.elevated_regions()).data)

"""Every service's level and the open incidents in one call, in the shape
status tools already read (a status page's summary: a page, an overall
status with an indicator, components, incidents).

Levels map to indicators as: ok → none, possible → minor, outage → major.
When the radar cannot tell (detection has stopped), the level and the
indicator are "unknown": a stopped radar must never look like an all-clear.
"""

from django.conf import settings
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.views.decorators.cache import cache_page
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from outages.models import Incident, Service
from outages.pipeline import status
from outages.web import sentences

INDICATORS = {
    "ok": "none",
    "possible": "minor",
    "outage": "major",
    "unknown": "unknown",
}
# Worst first, to pick the page's overall indicator.
SEVERITY = ["unknown", "outage", "possible", "ok"]
DESCRIPTIONS = {
    "none": "No problems detected",
    "minor": "Possible problems with some services",
    "major": "Problems detected with some services",
    "unknown": "The radar cannot tell right now",
}


class PageSerializer(serializers.Serializer):
    name = serializers.CharField()
    url = serializers.URLField()
    updated_at = serializers.DateTimeField(allow_null=True)


class OverallSerializer(serializers.Serializer):
    indicator = serializers.ChoiceField(choices=list(DESCRIPTIONS))
    description = serializers.CharField()


class ComponentSerializer(serializers.Serializer):
    id = serializers.SlugField(help_text="The service's slug.")
    name = serializers.CharField()
    level = serializers.ChoiceField(choices=list(INDICATORS))
    indicator = serializers.ChoiceField(choices=list(DESCRIPTIONS))
    url = serializers.URLField()


class OpenIncidentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    service = serializers.SlugField()
    name = serializers.CharField()
    impact = serializers.ChoiceField(choices=["major"])
    scope = serializers.CharField()
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()
    summary = serializers.CharField()
    url = serializers.URLField(help_text="The incident's page.")
    api_url = serializers.URLField(help_text="The incident in this API.")


class SummarySerializer(serializers.Serializer):
    page = PageSerializer()
    status = OverallSerializer()
    components = ComponentSerializer(many=True)
    incidents = OpenIncidentSerializer(many=True)


@method_decorator(cache_page(settings.READ_CACHE_SECONDS, cache="local"), name="get")
@extend_schema(responses={200: SummarySerializer})
class SummaryApi(APIView):
    """Every service's level and the open incidents, as status tools read them."""

    def get(self, request):
        published = status.current()
        absolute = request.build_absolute_uri
        components = [
            {
                "id": service.slug,
                "name": service.name,
                "level": (
                    level := status.service_level(service.id, published)["level"]
                ),
                "indicator": INDICATORS[level],
                "url": absolute(service.get_absolute_url()),
            }
            for service in Service.objects.filter(active=True).order_by("name")
        ]
        levels = {c["level"] for c in components} or {"ok"}
        worst = next(level for level in SEVERITY if level in levels)
        incidents = Incident.objects.filter(state=Incident.State.ONGOING)
        body = {
            "page": {
                "name": settings.SITE_NAME,
                "url": absolute("/"),
                "updated_at": published["at"],
            },
            "status": {
                "indicator": INDICATORS[worst],
                "description": DESCRIPTIONS[INDICATORS[worst]],
            },
            "components": components,
            "incidents": [
                _incident(i, absolute)
                for i in incidents.select_related("service").order_by("-opened_at")
            ],
        }
        return Response(SummarySerializer(body).data)


def _incident(incident, absolute) -> dict:
    return {
        "id": incident.id,
        "service": incident.service.slug,
        "name": sentences.incident_title(incident),
        "impact": "major",
        "scope": incident.scope,
        "created_at": incident.opened_at,
        "updated_at": incident.updated_at,
        "summary": sentences.incident_summary(incident),
        "url": absolute(incident.get_absolute_url()),
        "api_url": absolute(reverse("api:incident-detail", args=[incident.id])),
    }

"""The read API's shapes: what each endpoint answers (docs/api.md)."""

from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from outages.catalog import lookup
from outages.models import Incident, IncidentUpdate, Service
from outages.pipeline.status import LEVELS, SUMMARY_WINDOW_MINUTES, service_level
from outages.web.points import RESOLUTIONS


def absolute(serializer, path: str) -> str:
    """`path` as a full URL: links in answers work wherever they end up."""
    request = serializer.context.get("request")
    if request is None:
        return settings.SITE_URL + path
    return request.build_absolute_uri(path)


class LevelSerializer(serializers.Serializer):
    level = serializers.ChoiceField(
        LEVELS,
        help_text="ok: no problems; possible: more reports than usual; "
        "outage: an incident is open; unknown: detection has not run for a few "
        "minutes, so the radar cannot tell.",
    )
    observed = serializers.FloatField(
        help_text=f"Distinct reporters in the last {SUMMARY_WINDOW_MINUTES} minutes."
    )
    expected = serializers.FloatField(
        help_text="What is normal for those minutes at this hour of the week."
    )


class ServiceSerializer(serializers.ModelSerializer):
    category_name = serializers.CharField(source="get_category_display")
    page = serializers.SerializerMethodField(help_text="The service's web page.")
    status_page = serializers.SerializerMethodField(
        help_text="The provider's own status page; null when the catalog has none."
    )
    level = serializers.SerializerMethodField(
        help_text=LevelSerializer().fields["level"].help_text
    )
    observed = serializers.SerializerMethodField()
    expected = serializers.SerializerMethodField()

    class Meta:
        model = Service
        fields = [
            "slug",
            "name",
            "category",
            "category_name",
            "aliases",
            "page",
            "status_page",
            "level",
            "observed",
            "expected",
        ]

    def _status(self, service) -> dict:
        return service_level(service.id, self.context["published"])

    def get_page(self, service) -> str:
        return absolute(self, service.get_absolute_url())

    def get_status_page(self, service) -> str | None:
        return service.status_page or None

    @extend_schema_field(serializers.ChoiceField(LEVELS))
    def get_level(self, service) -> str:
        return self._status(service)["level"]

    def get_observed(self, service) -> float:
        return self._status(service)["observed"]

    def get_expected(self, service) -> float:
        return self._status(service)["expected"]


NETWORKS_HELP = (
    f"Distinct networks the last {SUMMARY_WINDOW_MINUTES} minutes' reports came "
    "from: IPv4 /24s, IPv6 /48s, and each integrator's token as one."
)
BLOCK_SHARE_HELP = (
    "Share (0 to 1) of those reports from the single larger block that sent "
    "the most: an IPv4 /16, an IPv6 /32, or one integrator."
)


class PlaceSerializer(serializers.Serializer):
    region = serializers.CharField(
        help_text='ISO 3166 code of the country or subdivision; "" for worldwide.'
    )
    name = serializers.SerializerMethodField()
    observed = serializers.FloatField()
    expected = serializers.FloatField()
    networks = serializers.IntegerField(
        allow_null=True,
        help_text=f"{NETWORKS_HELP} Null in incidents recorded before networks were.",
    )

    def get_name(self, place) -> str:
        return lookup.region_name(place["region"]) if place["region"] else "Worldwide"


class IncidentUpdateSerializer(serializers.ModelSerializer):
    regions = PlaceSerializer(many=True)

    class Meta:
        model = IncidentUpdate
        fields = ["kind", "at", "observed", "expected", "p_value", "regions"]


class IntegratorShareSerializer(serializers.Serializer):
    name = serializers.CharField(help_text="The API token's holder.")
    reporters = serializers.IntegerField(
        help_text=f"What its batches added in the last {SUMMARY_WINDOW_MINUTES} "
        "minutes."
    )


class IncidentSerializer(serializers.ModelSerializer):
    service = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    service_name = serializers.CharField(source="service.name")
    regions = PlaceSerializer(many=True)
    symptoms = serializers.DictField(
        child=serializers.FloatField(),
        help_text="Share of the incident's reports per symptom, in %.",
    )
    duration_seconds = serializers.SerializerMethodField()
    networks = serializers.IntegerField(help_text=NETWORKS_HELP)
    largest_block_share = serializers.FloatField(help_text=BLOCK_SHARE_HELP)
    integrators = IntegratorShareSerializer(many=True)
    false_alarm = serializers.BooleanField(
        help_text="An operator found the rise in reports was no outage."
    )
    note = serializers.SerializerMethodField(
        help_text="The operator's word on the incident; null when there is none."
    )
    page = serializers.SerializerMethodField(help_text="The incident's web page.")
    url = serializers.SerializerMethodField(help_text="The incident in this API.")

    class Meta:
        model = Incident
        fields = [
            "id",
            "service",
            "service_name",
            "state",
            "scope",
            "opened_at",
            "resolved_at",
            "duration_seconds",
            "observed",
            "expected",
            "p_value",
            "peak_at",
            "peak_observed",
            "peak_expected",
            "symptoms",
            "regions",
            "networks",
            "largest_block_share",
            "integrators",
            "false_alarm",
            "note",
            "updated_at",
            "page",
            "url",
        ]

    def get_duration_seconds(self, incident) -> int:
        return int(incident.duration.total_seconds())

    def get_note(self, incident) -> str | None:
        return incident.note or None

    def get_page(self, incident) -> str:
        return absolute(self, incident.get_absolute_url())

    def get_url(self, incident) -> str:
        return absolute(self, reverse("api:incident-detail", args=[incident.pk]))


class IncidentDetailSerializer(IncidentSerializer):
    updates = IncidentUpdateSerializer(many=True)

    class Meta(IncidentSerializer.Meta):
        fields = [*IncidentSerializer.Meta.fields, "updates"]


class RegionLevelSerializer(LevelSerializer):
    code = serializers.CharField(help_text="ISO 3166-1 alpha-2 or 3166-2 code.")
    name = serializers.CharField()
    kind = serializers.ChoiceField(["country", "subdivision"])
    ratio = serializers.FloatField(
        allow_null=True, help_text="observed / expected; null when nothing is normal."
    )


class DoubtedSerializer(serializers.Serializer):
    region = serializers.CharField(help_text='The place; "" for the whole world.')
    observed = serializers.FloatField()
    expected = serializers.FloatField()
    networks = serializers.IntegerField(help_text=NETWORKS_HELP)
    largest_block_share = serializers.FloatField(help_text=BLOCK_SHARE_HELP)


class ServiceStatusSerializer(LevelSerializer):
    service = serializers.CharField()
    window_minutes = serializers.IntegerField()
    at = serializers.DateTimeField(
        allow_null=True,
        help_text="When detection last published; null if it has not run lately.",
    )
    incident = IncidentSerializer(allow_null=True)
    regions = RegionLevelSerializer(
        many=True, help_text="Places with possible problems or an outage."
    )
    doubted = DoubtedSerializer(
        many=True,
        help_text="Rises in reports the detector saw but does not call a problem: "
        "they come from too few networks (docs/abuse.md).",
    )


class ServiceRegionsSerializer(serializers.Serializer):
    service = serializers.CharField()
    at = serializers.DateTimeField(allow_null=True)
    regions = RegionLevelSerializer(many=True)


class PointSerializer(serializers.Serializer):
    at = serializers.DateTimeField(help_text="Start of the bucket (UTC).")
    reports = serializers.IntegerField()
    reporters = serializers.IntegerField(help_text="Distinct reporters.")
    expected = serializers.FloatField(
        allow_null=True,
        help_text="Normal reporters for this bucket (null with a symptom filter "
        "or for a series the detector has not seen).",
    )
    low = serializers.FloatField(allow_null=True)
    high = serializers.FloatField(
        allow_null=True, help_text="Upper end of the usual range (99% of buckets)."
    )


class SeriesSerializer(serializers.Serializer):
    service = serializers.CharField()
    region = serializers.CharField()
    symptom = serializers.CharField(allow_null=True)
    resolution = serializers.ChoiceField(list(RESOLUTIONS))
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()
    points = PointSerializer(many=True)


class SeriesQuerySerializer(serializers.Serializer):
    """The series endpoint's query parameters."""

    MAX_POINTS = 2000
    EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)
    LATEST = datetime(2999, 12, 31, tzinfo=UTC)

    resolution = serializers.ChoiceField(
        list(RESOLUTIONS), default="5m", help_text="Bucket width."
    )
    start = serializers.DateTimeField(
        required=False, help_text="ISO 8601; default: 24 hours before `end`."
    )
    end = serializers.DateTimeField(required=False, help_text="ISO 8601; default: now.")
    region = serializers.CharField(
        required=False,
        default="",
        allow_blank=True,
        max_length=10,
        help_text='Country or subdivision code ("DE", "US-CA"); default: worldwide.',
    )
    symptom = serializers.SlugField(required=False, help_text="A symptom's slug.")

    def validate_region(self, value):
        if not value:
            return ""
        place = lookup.place(value)
        if place is None or place.subdivision not in (None, value.upper()):
            raise serializers.ValidationError(
                f"Unknown region {value!r}: use an ISO 3166 country code or a "
                "first-level subdivision code."
            )
        return value.upper()

    def validate_symptom(self, value):
        symptom_id = lookup.symptom_id(value)
        if symptom_id is None:
            raise serializers.ValidationError(f"Unknown symptom {value!r}.")
        return value

    def _in_range(self, name: str, moment: datetime) -> datetime:
        if not self.EARLIEST <= moment <= self.LATEST:
            raise serializers.ValidationError(
                {name: f"Must be from {self.EARLIEST:%Y} to {self.LATEST:%Y}."}
            )
        return moment

    def validate(self, attrs):
        end = self._in_range("end", attrs.get("end") or timezone.now())
        start = self._in_range("start", attrs.get("start") or end - timedelta(hours=24))
        if start >= end:
            raise serializers.ValidationError({"start": "Must be before end."})
        step = RESOLUTIONS[attrs["resolution"]]
        points = (end - start).total_seconds() / 60 / step
        if points > self.MAX_POINTS:
            raise serializers.ValidationError(
                {
                    "start": f"The window holds {int(points)} buckets at "
                    f"{attrs['resolution']}; at most {self.MAX_POINTS} are "
                    "answered: use a coarser resolution or a shorter window."
                }
            )
        return {**attrs, "start": start, "end": end}


class MapServiceSerializer(LevelSerializer):
    slug = serializers.CharField()
    name = serializers.CharField()
    url = serializers.SerializerMethodField(help_text="The service's web page.")

    def get_url(self, service) -> str:
        return absolute(self, service["url"])


class MapRegionSerializer(RegionLevelSerializer):
    services = MapServiceSerializer(
        many=True, help_text="Elevated services here, worst first."
    )


class MapSerializer(serializers.Serializer):
    at = serializers.DateTimeField(allow_null=True)
    regions = MapRegionSerializer(many=True)

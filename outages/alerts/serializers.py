"""The webhook API's shapes (docs/api.md)."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from outages.alerts import destinations
from outages.alerts.models import Delivery, Webhook
from outages.catalog import lookup
from outages.models import Service


@extend_schema_field(
    {"type": "string", "format": "uri", "pattern": "^https://", "maxLength": 500}
)
class HttpsUrlField(serializers.URLField):
    pass


class JsonBooleanField(serializers.BooleanField):
    """true or false, as the schema says: not DRF's "yes", "on", 1 or "0"."""

    def to_internal_value(self, data):
        if data is True or data is False:
            return data
        self.fail("invalid", input=data)


class WebhookIn(serializers.Serializer):
    url = HttpsUrlField(
        max_length=500, help_text="A public https:// address that takes POSTs."
    )
    service = serializers.SlugField(
        required=False,
        allow_null=True,
        default=None,
        help_text="A service's slug; null for every service.",
    )
    region = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=10,
        help_text='A country or subdivision code ("DE", "US-CA"); "" for everywhere.',
    )
    min_level = serializers.ChoiceField(
        Webhook.Level.choices,
        default=Webhook.Level.OUTAGE,
        help_text="The lowest level that matters: every incident is an outage; "
        '"possible" also gets a `service.possible` event when a service shows '
        "possible problems (at most once an hour per service).",
    )
    active = JsonBooleanField(
        default=True,
        help_text="Turning a disabled webhook on again clears its reason.",
    )

    # Named in a 400 rather than ignored: a client that sends `secret` must
    # not believe it changed it.
    READ_ONLY = ("id", "secret", "disabled_reason", "failing_since", "created_at")

    def to_internal_value(self, data):
        if isinstance(data, dict):
            writable = ", ".join(self.fields)
            errors = {
                name: [
                    "Read-only: the radar sets it."
                    if name in self.READ_ONLY
                    else f"Unknown field; a webhook has {writable}."
                ]
                for name in data.keys() - self.fields.keys()
            }
            if errors:
                raise serializers.ValidationError(errors)
        return super().to_internal_value(data)

    def validate_url(self, url: str) -> str:
        try:
            destinations.check(url)
        except destinations.Refused as exc:
            raise serializers.ValidationError(str(exc)) from None
        return url

    def validate_service(self, slug: str | None) -> Service | None:
        if slug is None:
            return None
        service = Service.objects.filter(slug=slug, active=True).first()
        if service is None:
            raise serializers.ValidationError(f"Unknown service {slug!r}.")
        return service

    def validate_region(self, code: str) -> str:
        code = code.strip()
        if code and lookup.place(code) is None:
            raise serializers.ValidationError(
                f"Unknown region {code!r}: use an ISO 3166 code such as DE or US-CA."
            )
        return code.upper()


class WebhookOut(serializers.ModelSerializer):
    service = serializers.SlugRelatedField(
        slug_field="slug",
        read_only=True,
        allow_null=True,
        help_text="null: every service.",
    )
    disabled_reason = serializers.CharField(
        help_text="Why the radar turned it off; empty while it is on."
    )

    class Meta:
        model = Webhook
        fields = [
            "id",
            "url",
            "service",
            "region",
            "min_level",
            "active",
            "disabled_reason",
            "failing_since",
            "created_at",
        ]


class WebhookCreatedOut(WebhookOut):
    secret = serializers.CharField(
        help_text="The signing secret, shown in this answer only: keep it."
    )

    class Meta(WebhookOut.Meta):
        fields = [*WebhookOut.Meta.fields, "secret"]


class DeliveryOut(serializers.ModelSerializer):
    class Meta:
        model = Delivery
        fields = [
            "id",
            "event_id",
            "event_type",
            "status",
            "attempts",
            "response_code",
            "error",
            "next_attempt_at",
            "created_at",
            "delivered_at",
            "payload",
        ]

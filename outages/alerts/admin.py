"""Webhooks and their deliveries in the operator's admin."""

from django.contrib import admin

from outages.alerts.models import Delivery, Webhook


@admin.register(Webhook)
class WebhookAdmin(admin.ModelAdmin):
    list_display = ["url", "owner", "service", "region", "min_level", "active"]
    list_filter = ["active", "min_level"]
    search_fields = ["url", "owner__username"]
    raw_id_fields = ["owner", "service"]
    # The secret is the subscriber's: never shown, even to an operator.
    exclude = ["secret"]
    readonly_fields = ["failing_since", "created_at"]

    def has_add_permission(self, request):
        return False  # made through the API, which hands out the secret


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = [
        "event_type",
        "event_id",
        "webhook",
        "status",
        "attempts",
        "response_code",
        "created_at",
    ]
    list_filter = ["status", "event_type"]
    search_fields = ["event_id", "webhook__url"]
    raw_id_fields = ["webhook", "incident"]
    readonly_fields = ["created_at", "delivered_at"]

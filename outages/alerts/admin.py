"""Webhooks, email subscriptions and what was sent to them, in the
operator's admin."""

from django.contrib import admin

from outages.alerts.models import Delivery, Email, EmailSubscription, Webhook


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


@admin.register(EmailSubscription)
class EmailSubscriptionAdmin(admin.ModelAdmin):
    list_display = ["email", "service", "region", "confirmed_at", "last_sent_at"]
    list_filter = [("confirmed_at", admin.EmptyFieldListFilter)]
    search_fields = ["email", "service__slug"]
    raw_id_fields = ["service"]
    # The token unsubscribes: not for showing around.
    exclude = ["token"]
    readonly_fields = ["created_at", "confirmation_sent_at", "confirmed_at"]

    def has_add_permission(self, request):
        return False  # only the person, through the confirmation link


@admin.register(Email)
class EmailAdmin(admin.ModelAdmin):
    list_display = ["kind", "subscription", "status", "attempts", "created_at"]
    list_filter = ["status", "kind"]
    raw_id_fields = ["subscription", "step"]
    readonly_fields = ["created_at", "sent_at"]

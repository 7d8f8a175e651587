"""Webhook subscriptions and the deliveries of events to them."""

from django.conf import settings
from django.db import models

from outages.models import Incident, Service


class Webhook(models.Model):
    """An address that wants incident events, and which ones.

    `service` null means every service; `region` "" means everywhere.
    """

    class Level(models.TextChoices):
        # Every incident is an outage today; "possible" takes the same events
        # and is kept so subscriptions mean the same once possible problems
        # have events of their own.
        POSSIBLE = "possible"
        OUTAGE = "outage"

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.CASCADE, related_name="webhooks"
    )
    url = models.URLField(max_length=500)
    service = models.ForeignKey(Service, models.CASCADE, null=True, blank=True)
    region = models.CharField(max_length=10, blank=True)
    min_level = models.CharField(
        max_length=10, choices=Level.choices, default=Level.OUTAGE
    )
    # "whsec_" and base64 of random bytes, as the Standard Webhooks spec has it.
    secret = models.CharField(max_length=100)
    active = models.BooleanField(default=True)
    disabled_reason = models.CharField(max_length=300, blank=True)
    # The first failed attempt since the last success; null while all is well.
    failing_since = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.url} ({self.owner})"


class Delivery(models.Model):
    """One event for one webhook, tried until it is delivered or given up."""

    class Status(models.TextChoices):
        PENDING = "pending"
        DELIVERED = "delivered"
        FAILED = "failed"

    webhook = models.ForeignKey(Webhook, models.CASCADE, related_name="deliveries")
    event_id = models.CharField(max_length=64)
    event_type = models.CharField(max_length=40)
    # Null for a test event. Deliveries of one incident to one webhook are sent
    # in the order they were made.
    incident = models.ForeignKey(Incident, models.CASCADE, null=True, blank=True)
    payload = models.JSONField()
    attempts = models.PositiveSmallIntegerField(default=0)
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.PENDING
    )
    response_code = models.PositiveSmallIntegerField(null=True, blank=True)
    error = models.CharField(max_length=500, blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "deliveries"
        constraints = [
            models.UniqueConstraint(
                fields=["webhook", "event_id"], name="one_delivery_per_event"
            )
        ]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                condition=models.Q(status="pending"),
                name="delivery_due",
            )
        ]

    def __str__(self):
        return f"{self.event_type} {self.event_id} to webhook {self.webhook_id}"

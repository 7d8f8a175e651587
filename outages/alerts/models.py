"""Webhook subscriptions and the deliveries of events to them; email
subscriptions and the messages sent to them."""

from django.conf import settings
from django.db import models

from outages.models import Incident, IncidentUpdate, Service


class Webhook(models.Model):
    """An address that wants incident events, and which ones.

    `service` null means every service; `region` "" means everywhere.
    """

    class Level(models.TextChoices):
        # "possible" also hears of a service newly at possible problems,
        # before (or without) an incident; every incident is an outage.
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


class EmailSubscription(models.Model):
    """An address that wants one service's incidents, in one country or
    everywhere ("").

    Nothing but its confirmation is sent until `confirmed_at` is set; an
    unconfirmed one is forgotten once its link has expired, and unsubscribing
    deletes the row, so an address is kept only while it wants messages.
    """

    email = models.EmailField()
    service = models.ForeignKey(
        Service, models.CASCADE, related_name="email_subscriptions"
    )
    region = models.CharField(max_length=10, blank=True)
    # Random, in every message's unsubscribe link; the confirmation link
    # carries it signed (email_links.py).
    token = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    confirmation_sent_at = models.DateTimeField(null=True, blank=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    # The last incident message sent: the next waits out ALERT_EMAIL_WINDOW.
    last_sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["email", "service", "region"],
                name="one_email_subscription_per_place",
            )
        ]

    def __str__(self):
        return f"{self.email} for {self.service_id}/{self.region or '*'}"


class Email(models.Model):
    """One message to one subscription: its confirmation, or one incident
    step; tried until sent, superseded by a newer step, or given up."""

    class Kind(models.TextChoices):
        CONFIRM = "confirm"
        OPENED = "opened"
        UPDATED = "updated"
        RESOLVED = "resolved"

    class Status(models.TextChoices):
        PENDING = "pending"
        SENT = "sent"
        # A newer step for the same subscription was due at the same time.
        SUPERSEDED = "superseded"
        FAILED = "failed"

    subscription = models.ForeignKey(
        EmailSubscription, models.CASCADE, related_name="emails"
    )
    kind = models.CharField(max_length=10, choices=Kind.choices)
    # Null for a confirmation.
    step = models.ForeignKey(IncidentUpdate, models.CASCADE, null=True, blank=True)
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.CharField(max_length=500, blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["subscription", "step"], name="one_email_per_step"
            )
        ]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                condition=models.Q(status="pending"),
                name="email_due",
            )
        ]

    def __str__(self):
        return f"{self.kind} to email subscription {self.subscription_id}"

"""The catalog (services, symptoms, regions) and the worker's heartbeat."""

from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.urls import reverse


class Service(models.Model):
    class Category(models.TextChoices):
        SOCIAL = "social", "Social media"
        VIDEO = "video", "Video"
        MESSAGING = "messaging", "Messaging"
        GAMING = "gaming", "Gaming"
        BANKING = "banking", "Banking"
        TELECOM = "telecom", "Mobile & telecom"
        ISP = "isp", "Internet providers"
        CLOUD = "cloud", "Cloud & hosting"
        EMAIL = "email", "Email"
        PAYMENTS = "payments", "Payments"
        STREAMING = "streaming", "Streaming"
        PRODUCTIVITY = "productivity", "Productivity"
        SHOPPING = "shopping", "Shopping"
        TRAVEL = "travel", "Travel"

    slug = models.SlugField(max_length=50, unique=True)
    name = models.CharField(max_length=100)
    category = models.CharField(max_length=20, choices=Category.choices)
    aliases = ArrayField(models.CharField(max_length=100), default=list, blank=True)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("outages:service", args=[self.slug])


class Symptom(models.Model):
    slug = models.SlugField(max_length=50, unique=True)
    label = models.CharField(max_length=100)
    description = models.CharField(max_length=300, blank=True)
    steps = ArrayField(models.TextField(), default=list, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "slug"]

    def __str__(self):
        return self.label


class Region(models.Model):
    """An ISO 3166-1 country or ISO 3166-2 subdivision, keyed by its code."""

    class Kind(models.TextChoices):
        COUNTRY = "country"
        SUBDIVISION = "subdivision"

    code = models.CharField(max_length=10, primary_key=True)
    name = models.CharField(max_length=100)
    kind = models.CharField(max_length=12, choices=Kind.choices)
    # Subdivision type as ISO names it: "State", "Province", "Region"...
    type = models.CharField(max_length=100, blank=True)
    parent = models.ForeignKey(
        "self", models.CASCADE, null=True, blank=True, related_name="children"
    )

    class Meta:
        ordering = ["code"]

    def __str__(self):
        return f"{self.name} ({self.code})"

    @property
    def country_code(self) -> str:
        return self.code[:2]


class Heartbeat(models.Model):
    """The last time each Celery worker ran the heartbeat task."""

    worker = models.CharField(max_length=200, unique=True)
    beat_at = models.DateTimeField()

    def __str__(self):
        return f"{self.worker} at {self.beat_at:%Y-%m-%d %H:%M:%S}"


class Bucket(models.Model):
    """Reports of one service, region and symptom in one UTC minute.

    `region` is a country code, a first-level subdivision code, or "" for the
    whole world: a report in US-CA is counted in US-CA, in US and worldwide.
    `reporters` counts the reports that were their reporter's first for the
    service in the de-duplication window, so summing buckets over any span up
    to that window gives distinct reporters.
    """

    WORLDWIDE = ""

    service = models.ForeignKey(Service, models.CASCADE)
    region = models.CharField(max_length=10, blank=True)
    symptom = models.ForeignKey(Symptom, models.CASCADE)
    minute = models.DateTimeField()
    reports = models.PositiveIntegerField(default=0)
    reporters = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["service", "region", "symptom", "minute"], name="bucket_key"
            )
        ]
        indexes = [models.Index(fields=["minute"], name="bucket_minute")]

    def __str__(self):
        return f"{self.service_id}/{self.region or '*'}/{self.symptom_id} {self.minute}"

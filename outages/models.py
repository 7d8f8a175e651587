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
    # The provider's own status page: the official word beside the crowd's.
    # Defaults in the database too, so workers not yet upgraded can write.
    status_page = models.URLField(max_length=300, blank=True, default="", db_default="")

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


class HourBucket(models.Model):
    """Reports of one service, region and symptom in one UTC hour: its minute
    buckets summed (`pipeline/rollups.py`), kept after they are dropped.

    `reporters` is the sum of the minutes' reporters: distinct within each
    de-duplication window, so a person reporting twice an hour apart counts
    twice, as in a chart of the minutes summed."""

    service = models.ForeignKey(Service, models.CASCADE, db_index=False)
    region = models.CharField(max_length=10, blank=True)
    symptom = models.ForeignKey(Symptom, models.CASCADE, db_index=False)
    hour = models.DateTimeField()
    reports = models.PositiveIntegerField(default=0)
    reporters = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["service", "region", "symptom", "hour"], name="hour_bucket_key"
            )
        ]
        indexes = [models.Index(fields=["hour"], name="hour_bucket_hour")]

    def __str__(self):
        return f"{self.service_id}/{self.region or '*'}/{self.symptom_id} {self.hour}"


class Rollup(models.Model):
    """How far the minute buckets are rolled up into hours: every hour
    before `until` is complete in `HourBucket`."""

    name = models.CharField(max_length=40, primary_key=True)
    until = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return f"{self.name} until {self.until}"


class Incident(models.Model):
    """A declared outage of one service, in one or more places.

    One incident is open per service at a time (a partial unique index): a
    detection cycle that tries to open a second one for the same service
    updates the open one instead, so concurrent cycles cannot duplicate it.
    """

    class State(models.TextChoices):
        ONGOING = "ongoing"
        RESOLVED = "resolved"

    class Scope(models.TextChoices):
        WORLDWIDE = "worldwide"
        REGIONAL = "regional"

    service = models.ForeignKey(Service, models.CASCADE, related_name="incidents")
    state = models.CharField(max_length=10, choices=State.choices)
    scope = models.CharField(max_length=10, choices=Scope.choices)
    opened_at = models.DateTimeField()
    resolved_at = models.DateTimeField(null=True, blank=True)
    # The last cycle's view: reporters in the last 15 minutes against normal,
    # and the tail probability of that excess.
    observed = models.FloatField()
    expected = models.FloatField()
    p_value = models.FloatField()
    peak_at = models.DateTimeField()
    peak_observed = models.FloatField()
    peak_expected = models.FloatField()
    # {"login": 61.5, "app-wont-open": 20.0, ...}: share of reports in %.
    symptoms = models.JSONField(default=dict)
    # [{"region": "DE", "observed": 120, "expected": 6.1}, ...], worst first;
    # "" is the whole world.
    regions = models.JSONField(default=list)
    # Where the main place's reports of the last 15 minutes came from, so a
    # reader can judge the crowd: distinct networks (IPv4 /24, IPv6 /48, an
    # integrator), the share of the block (IPv4 /16, IPv6 /32) that sent the
    # most, and [{"name": ..., "reporters": n}] per integrator's token.
    networks = models.PositiveIntegerField(default=0)
    largest_block_share = models.FloatField(default=0.0)
    integrators = models.JSONField(default=list)
    updated_at = models.DateTimeField()
    # Set by an operator (pipeline/false_alarms.py): the crowd was right that
    # reports rose, wrong that the service was down. Defaults in the database
    # too, so a worker not yet upgraded can still open incidents.
    false_alarm = models.BooleanField(default=False, db_default=False)
    note = models.CharField(
        max_length=500,
        blank=True,
        default="",
        db_default="",
        help_text='e.g. "Confirmed by the provider."',
    )

    class Meta:
        ordering = ["-opened_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["service"],
                condition=models.Q(state="ongoing"),
                name="one_open_incident_per_service",
            )
        ]

    def __str__(self):
        return f"{self.service} {self.state} since {self.opened_at:%Y-%m-%d %H:%M}"

    def get_absolute_url(self):
        return reverse("outages:incident", args=[self.pk])

    @property
    def duration(self):
        from django.utils import timezone

        return (self.resolved_at or timezone.now()) - self.opened_at


class IncidentUpdate(models.Model):
    """One step of an incident's timeline."""

    class Kind(models.TextChoices):
        OPENED = "opened"
        UPDATED = "updated"
        RESOLVED = "resolved"

    incident = models.ForeignKey(Incident, models.CASCADE, related_name="updates")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    at = models.DateTimeField()
    observed = models.FloatField()
    expected = models.FloatField()
    p_value = models.FloatField()
    regions = models.JSONField(default=list)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self):
        return f"{self.incident_id} {self.kind} at {self.at}"


class DetectorState(models.Model):
    """The detector's arrays for one shard's series, saved after each cycle.

    `minute` is the last UTC minute the shard judged; a cycle claims the next
    minutes by locking this row, so two cycles never judge the same minute.
    `arrays` holds what changes every minute, `slow` the series' keys and
    learned profiles, rewritten only when they change (an hour a time).
    `shards` is how many shards the series were spread over when it was
    saved (0: never saved), `series` how many it holds.
    """

    shard = models.PositiveSmallIntegerField(primary_key=True, default=0)
    shards = models.PositiveSmallIntegerField(default=0)
    series = models.PositiveIntegerField(default=0)
    minute = models.DateTimeField(null=True, blank=True)
    arrays = models.BinaryField(default=bytes)
    slow = models.BinaryField(default=bytes)
    # What the shard's services add to the typical member of each category,
    # which new services of every shard borrow from (written with `slow`).
    members = models.BinaryField(default=bytes)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return f"shard {self.shard} at {self.minute}"

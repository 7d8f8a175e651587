"""A person's problem report, how far bucketing has read the intake log, and
what an integrator's token may add to a count."""

from django.conf import settings
from django.db import models

from outages.models import Region, Service, Symptom


class Report(models.Model):
    class Source(models.TextChoices):
        WEB = "web"
        API = "api"
        BATCH = "batch"
        # The simulated crowd of the demo (DEMO=1), never a real person.
        DEMO = "demo"

    # No index and no database foreign key on the references: nothing reads
    # reports by them (pages and the API read buckets; bucketing joins by id),
    # and each index and foreign-key check is paid on every one of thousands
    # of inserts a second. intake.validate checks the catalog before each
    # write, and catalog rows are switched off, never deleted (PROTECT still
    # refuses a delete through the ORM).
    service = models.ForeignKey(
        Service, models.PROTECT, db_index=False, db_constraint=False
    )
    symptom = models.ForeignKey(
        Symptom, models.PROTECT, db_index=False, db_constraint=False
    )
    # Null when neither the report nor the client's address names a country:
    # such a report still counts worldwide.
    country = models.ForeignKey(
        Region,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    # The first-level subdivision, when the reporter named one.
    subdivision = models.ForeignKey(
        Region,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    # Keyed hash of address and user agent under a salt that rotates daily;
    # never the address itself.
    reporter = models.CharField(max_length=32)
    # Keyed hashes (same salt) of the reporter's IPv4 /24 or IPv6 /48 and of
    # the /16 or /32 around it; "token:<id>" for an integrator's entries.
    # Detection reads them to tell a crowd from a few networks.
    network = models.CharField(max_length=24, blank=True, db_default="")
    block = models.CharField(max_length=24, blank=True, db_default="")
    # False for a repeat from the same reporter for the same service within
    # the de-duplication window: stored, but not counted again.
    counted = models.BooleanField()
    source = models.CharField(max_length=5, choices=Source.choices)
    # The intake log's entry id, the id its client was given; null for
    # reports stored before the log. Unique, so an entry is stored once even
    # if the cursor below were ever set back.
    intake_id = models.CharField(  # noqa: DJ001
        max_length=41, null=True, blank=True, editable=False
    )
    created_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["created_at"], name="report_created_at")]
        constraints = [
            # With its time, as its daily partitions ask (the entry's time
            # is its own, so an entry still stores once).
            models.UniqueConstraint(
                fields=["intake_id", "created_at"],
                condition=models.Q(intake_id__isnull=False),
                name="report_intake_id",
            )
        ]

    def __str__(self):
        return f"#{self.pk} {self.service_id}/{self.symptom_id} at {self.created_at}"


class IntakeCursor(models.Model):
    """The last intake log entry moved into PostgreSQL.

    Advanced in the same transaction as the reports and counts it covers, so
    a pass that dies before its commit moves nothing, and entries at or below
    it are never moved again, whether or not they were trimmed from the log.
    """

    name = models.CharField(max_length=40, primary_key=True)
    last_id = models.CharField(max_length=41, default="0-0")
    moved_at = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return f"{self.name} at {self.last_id}"


class Integrator(models.Model):
    """The holder of an API token, accountable for what its batches add.

    All of an integrator's entries come from one network, as far as detection
    is concerned; this sets how many of them count per service and minute.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, models.CASCADE, related_name="integrator"
    )
    reporters_per_minute = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text="Entries that count per service and minute; "
        "blank for the default (TOKEN_REPORTERS_PER_MINUTE).",
    )
    note = models.CharField(max_length=200, blank=True)

    def __str__(self):
        return str(self.user)

    def allowance(self) -> int:
        return self.reporters_per_minute or settings.TOKEN_REPORTERS_PER_MINUTE

"""A person's problem report, and the queue of reports not yet counted."""

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
    # False for a repeat from the same reporter for the same service within
    # the de-duplication window: stored, but not counted again.
    counted = models.BooleanField()
    source = models.CharField(max_length=5, choices=Source.choices)
    # Null, not "", when the client sent no key: almost every report has
    # none, and the unique constraint below covers only the keys there are.
    idempotency_key = models.CharField(  # noqa: DJ001
        max_length=100, null=True, blank=True
    )
    created_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["created_at"], name="report_created_at")]
        constraints = [
            models.UniqueConstraint(
                fields=["idempotency_key"],
                condition=models.Q(idempotency_key__isnull=False),
                name="report_idempotency_key",
            )
        ]

    def __str__(self):
        return f"#{self.pk} {self.service_id}/{self.symptom_id} at {self.created_at}"


class PendingReport(models.Model):
    """A stored report that bucketing has not counted yet.

    Written in the same transaction as the report and deleted in the same
    transaction as the counts it adds to, so every report is counted once even
    when transactions commit out of id order or a worker dies mid-way.
    """

    # No database foreign key: the entry is written by the same statement as
    # its report, and deleting a report through the ORM still cascades.
    report = models.OneToOneField(
        Report, models.CASCADE, primary_key=True, db_constraint=False
    )
    created_at = models.DateTimeField()

    def __str__(self):
        return f"report #{self.report_id}, pending since {self.created_at}"

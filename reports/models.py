"""A person's problem report, and the queue of reports not yet counted."""

from django.db import models

from outages.models import Region, Service, Symptom


class Report(models.Model):
    class Source(models.TextChoices):
        WEB = "web"
        API = "api"
        BATCH = "batch"

    # No index on the references: nothing reads reports by them (pages and
    # the API read buckets; bucketing joins by id), and every index is paid
    # on each of thousands of inserts a second.
    service = models.ForeignKey(Service, models.PROTECT, db_index=False)
    symptom = models.ForeignKey(Symptom, models.PROTECT, db_index=False)
    # Null when neither the report nor the client's address names a country:
    # such a report still counts worldwide.
    country = models.ForeignKey(
        Region, models.PROTECT, null=True, blank=True, related_name="+", db_index=False
    )
    # The first-level subdivision, when the reporter named one.
    subdivision = models.ForeignKey(
        Region, models.PROTECT, null=True, blank=True, related_name="+", db_index=False
    )
    # Keyed hash of address and user agent under a salt that rotates daily;
    # never the address itself.
    reporter = models.CharField(max_length=32)
    # False for a repeat from the same reporter for the same service within
    # the de-duplication window: stored, but not counted again.
    counted = models.BooleanField()
    source = models.CharField(max_length=5, choices=Source.choices)
    idempotency_key = models.CharField(
        max_length=100, null=True, blank=True, unique=True
    )
    created_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["created_at"], name="report_created_at")]

    def __str__(self):
        return f"#{self.pk} {self.service_id}/{self.symptom_id} at {self.created_at}"


class PendingReport(models.Model):
    """A stored report that bucketing has not counted yet.

    Written in the same transaction as the report and deleted in the same
    transaction as the counts it adds to, so every report is counted once even
    when transactions commit out of id order or a worker dies mid-way.
    """

    report = models.OneToOneField(Report, models.CASCADE, primary_key=True)
    created_at = models.DateTimeField()

    def __str__(self):
        return f"report #{self.report_id}, pending since {self.created_at}"

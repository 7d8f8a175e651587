from django.db import migrations, models

# Reports queued under the old design are counted before their queue goes, so
# an upgrade loses none of them (the same statement the old bucketing ran).
COUNT_QUEUED_SQL = """
WITH claimed AS (
    DELETE FROM reports_pendingreport RETURNING report_id
),
claimed_reports AS (
    SELECT r.service_id, r.symptom_id, r.country_id, r.subdivision_id, r.counted,
           date_trunc('minute', r.created_at, 'UTC') AS minute
    FROM reports_report r JOIN claimed c ON c.report_id = r.id
),
levels AS (
    SELECT service_id, '' AS region, symptom_id, minute, counted
    FROM claimed_reports
    UNION ALL
    SELECT service_id, country_id, symptom_id, minute, counted
    FROM claimed_reports WHERE country_id IS NOT NULL
    UNION ALL
    SELECT service_id, subdivision_id, symptom_id, minute, counted
    FROM claimed_reports WHERE subdivision_id IS NOT NULL
)
INSERT INTO outages_bucket AS b
    (service_id, region, symptom_id, minute, reports, reporters)
SELECT service_id, region, symptom_id, minute,
       count(*), count(*) FILTER (WHERE counted)
FROM levels
GROUP BY service_id, region, symptom_id, minute
ON CONFLICT (service_id, region, symptom_id, minute) DO UPDATE
SET reports = b.reports + EXCLUDED.reports,
    reporters = b.reporters + EXCLUDED.reporters
"""


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0004_demo_source"),
        ("outages", "0003_detectorstate_incident_incidentupdate_and_more"),
    ]

    operations = [
        migrations.RunSQL(COUNT_QUEUED_SQL, migrations.RunSQL.noop),
        migrations.DeleteModel(name="PendingReport"),
        migrations.RemoveConstraint(model_name="report", name="report_idempotency_key"),
        migrations.RemoveField(model_name="report", name="idempotency_key"),
        migrations.AddField(
            model_name="report",
            name="intake_id",
            field=models.CharField(
                blank=True, editable=False, max_length=41, null=True
            ),
        ),
        migrations.AddConstraint(
            model_name="report",
            constraint=models.UniqueConstraint(
                condition=models.Q(intake_id__isnull=False),
                fields=("intake_id",),
                name="report_intake_id",
            ),
        ),
        migrations.CreateModel(
            name="IntakeCursor",
            fields=[
                (
                    "name",
                    models.CharField(max_length=40, primary_key=True, serialize=False),
                ),
                ("last_id", models.CharField(default="0-0", max_length=41)),
                ("moved_at", models.DateTimeField(blank=True, null=True)),
            ],
        ),
    ]

from django.db import migrations, models

from outages.pipeline.partitions import REPORTS, partitioned


def partition_reports(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        partitioned(
            cursor,
            REPORTS,
            [
                "ALTER TABLE reports_report ADD CONSTRAINT reports_report_pkey"
                " PRIMARY KEY (id, created_at)",
                "CREATE INDEX report_created_at ON reports_report (created_at)",
                "CREATE UNIQUE INDEX report_intake_id ON reports_report"
                " (intake_id, created_at) WHERE intake_id IS NOT NULL",
            ],
        )


class Migration(migrations.Migration):
    """Reports in daily partitions (`outages/pipeline/partitions.py`). An
    intake entry's id stays unique with its time, which is the entry's own;
    the primary key becomes (id, created_at) in the database."""

    dependencies = [
        ("reports", "0006_networks"),
        ("outages", "0009_partitioned_buckets"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunPython(partition_reports)],
            state_operations=[
                migrations.RemoveConstraint(model_name="report", name="report_intake_id"),
                migrations.AddConstraint(
                    model_name="report",
                    constraint=models.UniqueConstraint(
                        condition=models.Q(intake_id__isnull=False),
                        fields=("intake_id", "created_at"),
                        name="report_intake_id",
                    ),
                ),
            ],
        )
    ]

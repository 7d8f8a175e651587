from django.db import migrations

from outages.pipeline.partitions import MINUTE_BUCKETS, partitioned


def partition_buckets(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        partitioned(
            cursor,
            MINUTE_BUCKETS,
            [
                "ALTER TABLE outages_bucket ADD CONSTRAINT outages_bucket_pkey"
                " PRIMARY KEY (id, minute)",
                "ALTER TABLE outages_bucket ADD CONSTRAINT bucket_key"
                " UNIQUE (service_id, region, symptom_id, minute)",
                "CREATE INDEX bucket_minute ON outages_bucket (minute)",
                "CREATE INDEX outages_bucket_service_id_a3a06b01"
                " ON outages_bucket (service_id)",
                "CREATE INDEX outages_bucket_symptom_id_1915faa2"
                " ON outages_bucket (symptom_id)",
                "ALTER TABLE outages_bucket ADD CONSTRAINT"
                " outages_bucket_service_id_a3a06b01_fk_outages_service_id"
                " FOREIGN KEY (service_id) REFERENCES outages_service (id)"
                " DEFERRABLE INITIALLY DEFERRED",
                "ALTER TABLE outages_bucket ADD CONSTRAINT"
                " outages_bucket_symptom_id_1915faa2_fk_outages_symptom_id"
                " FOREIGN KEY (symptom_id) REFERENCES outages_symptom (id)"
                " DEFERRABLE INITIALLY DEFERRED",
            ],
        )


class Migration(migrations.Migration):
    """Minute buckets in daily partitions (`outages/pipeline/partitions.py`).
    The primary key becomes (id, minute) in the database; the models still
    know `id` as theirs, unique as ever."""

    dependencies = [
        ("outages", "0008_hour_buckets"),
    ]

    operations = [migrations.RunPython(partition_buckets, elidable=False)]

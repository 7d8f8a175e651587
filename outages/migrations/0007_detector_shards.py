from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("outages", "0006_detector_slow_state"),
    ]

    operations = [
        # A state saved before shards held every series in one row.
        migrations.AddField(
            model_name="detectorstate",
            name="shards",
            field=models.PositiveSmallIntegerField(default=1),
            preserve_default=False,
        ),
        migrations.AlterField(
            model_name="detectorstate",
            name="shards",
            field=models.PositiveSmallIntegerField(default=0),
        ),
        migrations.AddField(
            model_name="detectorstate",
            name="series",
            field=models.PositiveIntegerField(default=0),
        ),
        migrations.AddField(
            model_name="detectorstate",
            name="members",
            field=models.BinaryField(default=bytes),
        ),
    ]

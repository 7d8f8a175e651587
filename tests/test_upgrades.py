"""A radar made before an upgrade keeps working after it: its queued tasks
and its database."""

from io import StringIO

from django.conf import settings
from django.core.management import call_command

from config.celery import app


def test_every_scheduled_task_is_registered_under_its_name():
    app.loader.import_default_modules()
    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert scheduled <= set(app.tasks)
    # Queued messages name these; a moved module must not rename them.
    assert {
        "outages.tasks.bucket_new_reports",
        "outages.tasks.detect",
        "outages.tasks.record_heartbeat",
    } <= scheduled


def test_the_models_match_the_migrations(db):
    out = StringIO()
    call_command("makemigrations", "--check", "--dry-run", stdout=out)
    assert "No changes detected" in out.getvalue()

"""The worker's tasks, each a few lines calling the function that does the work.

Their names (outages.tasks.*) are what beat schedules and queued messages
refer to: keep them.
"""

from datetime import datetime

from celery import shared_task
from django.utils import timezone

from outages import demo, health
from outages.pipeline import bucketing, cycle, shards


@shared_task(bind=True)
def record_heartbeat(self):
    health.record_heartbeat(worker=self.request.hostname or "unknown")


@shared_task
def bucket_new_reports():
    return bucketing.bucket_new_reports().reports


@shared_task
def detect(now: str | None = None):
    """One detection cycle: a task per shard, for whatever workers there are;
    `now` (ISO 8601) replays a chosen moment."""
    now = now or timezone.now().isoformat()
    # Count what is queued first, so the minutes judged are complete.
    bucketing.bucket_new_reports()
    for shard in range(shards.count()):
        # A shard's task that waited a minute is superseded by the next.
        detect_shard.apply_async((shard, now), expires=60)
    return shards.count()


@shared_task
def detect_shard(shard: int, now: str):
    """The cycle of one shard of the series, up to `now` (ISO 8601)."""
    return cycle.detect_shard(shard, datetime.fromisoformat(now)).minutes


@shared_task
def report_crowd():
    """The demo's simulated crowd (only scheduled when DEMO is on)."""
    return demo.report_crowd()

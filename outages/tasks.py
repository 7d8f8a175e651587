"""The worker's tasks, each a few lines calling the function that does the work.

Their names (outages.tasks.*) are what beat schedules and queued messages
refer to: keep them.
"""

import logging
from datetime import datetime

from celery import shared_task
from django.utils import timezone

from outages import demo, health
from outages.pipeline import bucketing, cycle, partitions, rollups, shards

log = logging.getLogger(__name__)


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
        detect_shard.apply_async((shard, now, shards.count()), expires=60)
    return shards.count()


# Relearning a shard's two weeks of buckets (after an upgrade) takes minutes.
@shared_task(time_limit=1800)
def detect_shard(shard: int, now: str, of: int | None = None):
    """The cycle of one shard of the series, up to `now` (ISO 8601); `of` is
    the number of shards its sender had, which this worker must share."""
    if of is not None and of != shards.count():
        log.warning(
            "Shard %s of %s skipped: this worker has %s", shard, of, shards.count()
        )
        return 0
    return cycle.detect_shard(shard, datetime.fromisoformat(now)).minutes


@shared_task
def report_crowd():
    """The demo's simulated crowd (only scheduled when DEMO is on)."""
    return demo.report_crowd()


@shared_task
def roll_up_hours():
    """Sum the complete hours of minute buckets into hourly ones."""
    return rollups.roll_up()


@shared_task
def maintain_partitions():
    """Make the next days' partitions and drop those past their retention."""
    done = partitions.maintain()
    return {"made": done.made, "dropped": done.dropped}

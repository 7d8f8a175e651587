"""The worker's tasks, each a few lines calling the function that does the work.

Their names (outages.tasks.*) are what beat schedules and queued messages
refer to: keep them.
"""

from datetime import datetime

from celery import shared_task

from outages import demo, health
from outages.pipeline import bucketing, cycle


@shared_task(bind=True)
def record_heartbeat(self):
    health.record_heartbeat(worker=self.request.hostname or "unknown")


@shared_task
def bucket_new_reports():
    return bucketing.bucket_new_reports().reports


@shared_task
def detect(now: str | None = None):
    """One detection cycle; `now` (ISO 8601) replays a chosen moment."""
    moment = datetime.fromisoformat(now) if now else None
    # Count what is queued first, so the minutes judged are complete.
    bucketing.bucket_new_reports()
    return cycle.detect_new_minutes(moment).minutes


@shared_task
def report_crowd():
    """The demo's simulated crowd (only scheduled when DEMO is on)."""
    return demo.report_crowd()

from celery import shared_task

from outages import bucketing, health


@shared_task(bind=True)
def record_heartbeat(self):
    health.record_heartbeat(worker=self.request.hostname or "unknown")


@shared_task
def bucket_new_reports():
    return bucketing.bucket_new_reports().reports

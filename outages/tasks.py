from celery import shared_task

from outages import health


@shared_task(bind=True)
def record_heartbeat(self):
    health.record_heartbeat(worker=self.request.hostname or "unknown")

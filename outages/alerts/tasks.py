"""The worker's webhook tasks: a delivery attempt, and the sweep that
requeues deliveries whose message was lost.

Their names (outages.alerts.tasks.*) are what queued messages and the beat
schedule refer to: keep them.
"""

from celery import shared_task

from outages.alerts import sending


@shared_task
def deliver(delivery_id: int):
    for later, seconds in sending.attempt(delivery_id):
        deliver.apply_async((later,), countdown=seconds)


@shared_task
def send_due_deliveries():
    found = sending.due()
    for delivery_id in found:
        deliver.delay(delivery_id)
    return len(found)

"""The worker's alert tasks: a webhook delivery attempt or an email's, the
sweeps that requeue the ones whose message was lost, and forgetting
unconfirmed email addresses.

Their names (outages.alerts.tasks.*) are what queued messages and the beat
schedule refer to: keep them.
"""

from celery import shared_task

from outages.alerts import email_sending, sending


@shared_task
def deliver(delivery_id: int):
    for later, seconds in sending.attempt(delivery_id):
        deliver.apply_async((later,), countdown=seconds)


@shared_task
def send_due_deliveries():
    return _queue_again(deliver, sending.due())


@shared_task
def send_email(email_id: int):
    wait = email_sending.attempt(email_id)
    if wait is not None:
        send_email.apply_async((email_id,), countdown=wait)


@shared_task
def send_due_emails():
    return _queue_again(send_email, email_sending.due())


@shared_task
def forget_unconfirmed_emails():
    # Imported here: sign-ups queue send_email, so this module cannot import
    # theirs at the top.
    from outages.alerts.email_signup import forget_unconfirmed

    return forget_unconfirmed()


def _queue_again(task, found: list[int]) -> int:
    """Queue `task` once for each id the sweep `found`; how many it queued."""
    for pk in found:
        task.delay(pk)
    return len(found)

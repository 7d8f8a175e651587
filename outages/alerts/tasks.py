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
    found = sending.due()
    for delivery_id in found:
        deliver.delay(delivery_id)
    return len(found)


@shared_task
def send_email(email_id: int):
    wait = email_sending.attempt(email_id)
    if wait is not None:
        send_email.apply_async((email_id,), countdown=wait)


@shared_task
def send_due_emails():
    found = email_sending.due()
    for email_id in found:
        send_email.delay(email_id)
    return len(found)


@shared_task
def forget_unconfirmed_emails():
    # Imported here: sign-ups queue send_email, so this module cannot import
    # theirs at the top.
    from outages.alerts.email_signup import forget_unconfirmed

    return forget_unconfirmed()

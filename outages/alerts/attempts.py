"""What webhook deliveries and emails share: rows tried until they are done.

Both tables hold a `status` and a `next_attempt_at`, and both channels claim
a row the same way, retry on a schedule from the settings and sweep up the
rows whose queued task was lost. What each does with an attempt is its own
(sending.py, email_sending.py).
"""

from datetime import datetime, timedelta

from django.db.models import Model


def claim(model: type[Model], pk: int, now: datetime, lease: timedelta) -> bool:
    """Take row `pk` for one attempt if it is pending and due, with a lease:
    a task that runs twice finds nothing to claim and stops."""
    return bool(
        model.objects.filter(
            pk=pk, status=model.Status.PENDING, next_attempt_at__lte=now
        ).update(next_attempt_at=now + lease)
    )


def retry_wait(attempts: int, schedule: list[int]) -> int | None:
    """The seconds to wait after `attempts` failed attempts; None when the
    schedule is used up and the row should be given up."""
    if attempts > len(schedule):
        return None
    return schedule[attempts - 1]


def due(model: type[Model], now: datetime) -> list[int]:
    """Pending rows overdue by a minute: their queued task was lost (a worker
    died, or Redis dropped it), so they are queued again."""
    return list(
        model.objects.filter(
            status=model.Status.PENDING,
            next_attempt_at__lte=now - timedelta(minutes=1),
        )
        .order_by("pk")
        .values_list("pk", flat=True)[:1000]
    )

"""What the radar says about a service right now, read from the buckets."""

from datetime import datetime, timedelta

from django.db.models import Sum
from django.utils import timezone

from outages.models import Bucket


def recent_reporters(
    service_id: int,
    region: str = Bucket.WORLDWIDE,
    minutes: int = 15,
    now: datetime | None = None,
) -> int:
    """Distinct people who reported the service in the last `minutes`."""
    now = now or timezone.now()
    since = now.replace(second=0, microsecond=0) - timedelta(minutes=minutes - 1)
    total = Bucket.objects.filter(
        service_id=service_id, region=region, minute__gte=since
    ).aggregate(total=Sum("reporters"))["total"]
    return total or 0

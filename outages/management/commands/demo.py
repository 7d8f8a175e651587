"""`manage.py demo`: simulated history for an empty radar (make run's DEMO=1)."""

import time

from django.core.management.base import BaseCommand

from outages import demo


class Command(BaseCommand):
    help = (
        "Bring an empty radar to life: a week of simulated history for the "
        "detector and a day of buckets. Does nothing on a database with data."
    )

    def handle(self, *args, **options):
        if not demo.is_empty():
            self.stdout.write(
                "Demo history: the database already has data, left as is."
            )
            return
        started = time.monotonic()
        buckets = demo.backfill()
        self.stdout.write(
            f"Demo history: {buckets} buckets and a learned detector "
            f"in {time.monotonic() - started:.1f} s."
        )

"""`manage.py loadcatalog`: services, symptoms and ISO regions, upserted."""

from django.core.management.base import BaseCommand

from outages.catalog import load_catalog


class Command(BaseCommand):
    help = "Load or update the catalog of services, symptoms and ISO regions."

    def handle(self, *args, **options):
        result = load_catalog()
        self.stdout.write(
            f"Catalog loaded: {result.services} services, {result.symptoms} symptoms, "
            f"{result.regions} regions."
        )

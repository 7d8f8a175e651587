"""The outages app: catalog, detection pipeline, pages and read API."""

from django.apps import AppConfig


class OutagesConfig(AppConfig):
    name = "outages"
    verbose_name = "Outages"

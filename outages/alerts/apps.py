"""The alerts app: webhook subscriptions and their deliveries."""

from django.apps import AppConfig


class AlertsConfig(AppConfig):
    name = "outages.alerts"
    label = "alerts"
    verbose_name = "Alerts"

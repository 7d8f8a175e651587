"""The webhook endpoints, under /api/v1/ beside the rest of the API."""

from django.urls import path

from outages.alerts import api

api_urlpatterns = [
    path("webhooks", api.WebhookListApi.as_view(), name="webhook-list"),
    path("webhooks/<int:pk>", api.WebhookDetailApi.as_view(), name="webhook-detail"),
    path("webhooks/<int:pk>/test", api.WebhookTestApi.as_view(), name="webhook-test"),
    path(
        "webhooks/<int:pk>/deliveries",
        api.DeliveryListApi.as_view(),
        name="webhook-deliveries",
    ),
]

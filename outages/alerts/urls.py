"""The webhook endpoints, under /api/v1/ beside the rest of the API, and
the email alert pages, among the site's pages."""

from django.urls import path

from outages.alerts import api, views

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

page_urlpatterns = [
    path("s/<slug:slug>/alerts", views.sign_up, name="email-signup"),
    path("alerts/confirm/<str:link>", views.confirm, name="email-confirm"),
    path("alerts/unsubscribe/<str:token>", views.unsubscribe, name="email-unsubscribe"),
]

from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import (
    SpectacularAPIView,
    SpectacularRedocView,
    SpectacularSwaggerView,
)

from outages import views as outages_views
from outages.urls import api_urlpatterns as read_api
from reports.urls import api_urlpatterns as write_api

urlpatterns = [
    path("healthz", outages_views.healthz, name="healthz"),
    path("readyz", outages_views.readyz, name="readyz"),
    path("admin/", admin.site.urls),
    path("api/v1/", include((write_api + read_api, "api"))),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="docs"),
    path(
        "api/redoc/",
        SpectacularRedocView.as_view(
            url_name="schema", template_name="outages/redoc.html"
        ),
        name="redoc",
    ),
    path("", include("reports.urls")),
    path("", include("outages.urls")),
]
handler404 = outages_views.not_found

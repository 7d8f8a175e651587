from django.contrib import admin
from django.urls import include, path

from outages import views as outages_views
from reports.urls import api_urlpatterns

urlpatterns = [
    path("healthz", outages_views.healthz, name="healthz"),
    path("readyz", outages_views.readyz, name="readyz"),
    path("admin/", admin.site.urls),
    path("api/v1/", include((api_urlpatterns, "api"))),
    path("", include("reports.urls")),
    path("", include("outages.urls")),
]

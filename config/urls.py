from django.contrib import admin
from django.urls import include, path

from outages import views as outages_views

urlpatterns = [
    path("healthz", outages_views.healthz, name="healthz"),
    path("readyz", outages_views.readyz, name="readyz"),
    path("admin/", admin.site.urls),
    path("", include("outages.urls")),
]

"""The site's URLs: probes, the admin, what crawlers ask for, the API and its
schema, the pages."""

from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path, re_path
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.views import (
    SpectacularAPIView,
    SpectacularRedocView,
    SpectacularSwaggerView,
)

from outages.alerts.urls import api_urlpatterns as webhook_api
from outages.urls import api_urlpatterns as read_api
from outages.web import api, crawlers, pages, probes
from reports.urls import api_urlpatterns as write_api

PAGE = ["get", "head"]

urlpatterns = [
    path("healthz", probes.healthz, name="healthz"),
    path("readyz", probes.readyz, name="readyz"),
    path("admin/", admin.site.urls),
    path("robots.txt", crawlers.robots, name="robots"),
    path("sitemap.xml", sitemap, {"sitemaps": crawlers.SITEMAPS}, name="sitemap"),
    path("favicon.ico", crawlers.favicon, name="favicon"),
    path("api/v1/", include((write_api + read_api + webhook_api, "api"))),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # Pages: GET only (DRF's answer to OPTIONS needs a template they lack).
    path(
        "api/docs/",
        SpectacularSwaggerView.as_view(url_name="schema", http_method_names=PAGE),
        name="docs",
    ),
    path(
        "api/redoc/",
        SpectacularRedocView.as_view(
            url_name="schema",
            template_name="outages/redoc.html",
            http_method_names=PAGE,
        ),
        name="redoc",
    ),
    # Every other path under /api/ answers JSON, never a page, whatever the
    # method (the CSRF check would answer a stray PATCH with an HTML 403).
    re_path(r"^api/", csrf_exempt(api.not_found)),
    path("", include("outages.urls")),
]
handler404 = pages.not_found

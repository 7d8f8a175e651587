"""Where each page and read endpoint lives."""

from django.urls import path

from outages.alerts.urls import page_urlpatterns as email_alert_pages
from outages.web import api, badges, feeds, outage_map, pages, report, summary

app_name = "outages"

urlpatterns = [
    path("", pages.home, name="home"),
    path("s/<slug:slug>/", pages.service, name="service"),
    path("s/<slug:slug>/report", report.submit, name="report"),
    path("s/<slug:slug>/badge.svg", badges.badge, name="badge"),
    path(
        "s/<slug:slug>/incidents.atom",
        feeds.ServiceIncidentFeed(),
        name="service-feed",
    ),
    path("incidents.atom", feeds.IncidentFeed(), name="feed"),
    path(
        "regions/<str:country>/incidents.atom",
        feeds.CountryIncidentFeed(),
        name="country-feed",
    ),
    path("incidents/<int:pk>/", pages.incident, name="incident"),
    path(
        "regions/<str:country>/subdivisions.json",
        pages.subdivisions,
        name="subdivisions",
    ),
    path("map/", outage_map.outage_map, name="map"),
    path("map/codes.json", outage_map.codes, name="map-codes"),
    *email_alert_pages,
]

api_urlpatterns = [
    path("services", api.ServiceListApi.as_view(), name="service-list"),
    path("services/<slug:slug>", api.ServiceDetailApi.as_view(), name="service-detail"),
    path(
        "services/<slug:slug>/status",
        api.ServiceStatusApi.as_view(),
        name="service-status",
    ),
    path(
        "services/<slug:slug>/series",
        api.ServiceSeriesApi.as_view(),
        name="service-series",
    ),
    path(
        "services/<slug:slug>/regions",
        api.ServiceRegionsApi.as_view(),
        name="service-regions",
    ),
    path("incidents", api.IncidentListApi.as_view(), name="incident-list"),
    path("incidents/<int:pk>", api.IncidentDetailApi.as_view(), name="incident-detail"),
    path("map", api.MapApi.as_view(), name="map"),
    path("summary", summary.SummaryApi.as_view(), name="summary"),
]

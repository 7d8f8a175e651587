from django.urls import path

from outages import api, map_views, views

app_name = "outages"

urlpatterns = [
    path("", views.home, name="home"),
    path("s/<slug:slug>/", views.service, name="service"),
    path("incidents/<int:pk>/", views.incident, name="incident"),
    path(
        "regions/<str:country>/subdivisions.json",
        views.subdivisions,
        name="subdivisions",
    ),
    path("map/", map_views.outage_map, name="map"),
    path("map/codes.json", map_views.codes, name="map-codes"),
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
]

from django.urls import path

from outages import views

app_name = "outages"

urlpatterns = [
    path("", views.home, name="home"),
    path("s/<slug:slug>/", views.service, name="service"),
    path(
        "regions/<str:country>/subdivisions.json",
        views.subdivisions,
        name="subdivisions",
    ),
]

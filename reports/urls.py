"""The write endpoints of the API (the form's post is a page: outages.urls)."""

from django.urls import path

from reports import api

api_urlpatterns = [
    path("reports", api.ReportCreateApi.as_view(), name="report-create"),
    path("reports/batch", api.ReportBatchApi.as_view(), name="report-batch"),
]

from django.urls import path

from reports import api, views

app_name = "reports"

urlpatterns = [
    path("s/<slug:slug>/report", views.submit, name="submit"),
]

api_urlpatterns = [
    path("reports", api.ReportCreateApi.as_view(), name="report-create"),
    path("reports/batch", api.ReportBatchApi.as_view(), name="report-batch"),
]

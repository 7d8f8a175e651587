"""Probe views for bench/parts.py: each does one part of a report's work.

They run under the radar's own settings and middleware (bench/parts.py serves
them with DJANGO_SETTINGS_MODULE=parts_settings), beside the radar's URLs, and
answer 204, so the difference between two of them is the CPU of one part.
"""

import secrets

from django.http import HttpResponse
from django.urls import path
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from config.urls import urlpatterns as radar_urlpatterns
from reports import api, intake, log, reporters
from reports.fields import REPORT_FIELDS, read_report


def _checks(request) -> intake.Draft:
    """Everything before the stores: the body, the reporter, the catalog."""
    fields = read_report(api._json_body(request, api.REPORT_MAX_BYTES), REPORT_FIELDS)
    reporter = reporters.identify(request, timezone.now().date())
    return intake.validate(
        fields["service"],
        fields["symptom"],
        fields.get("region"),
        fallback_country=reporter.country,
    )


def _log(draft: intake.Draft) -> None:
    # A reporter and a network of its own each time, as a crowd is.
    network = secrets.token_hex(16)
    entry = log.Entry(
        service_id=draft.service_id,
        symptom_id=draft.symptom_id,
        country=draft.country,
        subdivision=draft.subdivision,
        reporter=secrets.token_hex(16),
        network=network,
        block=network,
    )
    log.append_one(entry, secrets.token_hex(16), "api", timezone.now())


@csrf_exempt
def nothing(request):
    return HttpResponse(status=204)


@csrf_exempt
def checks(request):
    _checks(request)
    return HttpResponse(status=204)


@csrf_exempt
def logged(request):
    _log(_checks(request))
    return HttpResponse(status=204)


urlpatterns = [
    path("parts/nothing", nothing),
    path("parts/checks", checks),
    path("parts/log", logged),
    *radar_urlpatterns,
]

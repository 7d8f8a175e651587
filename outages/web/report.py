"""The report form's post: store the report, then show the page's answer.

Post-redirect-get: a stored report redirects to the service page, which then
says whether others have the same problem and what to try. A report that
cannot be taken renders the page again with the form and the reason (400,
429 or 503), so the person loses nothing they typed.
"""

from urllib.parse import urlencode

import redis
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from outages.web.pages import render_service_page
from reports import intake, reporters
from reports.forms import ReportForm
from reports.models import Report


@require_http_methods(["GET", "HEAD", "POST"])
def submit(request, slug):
    """The report form's target: store, then redirect to the page's answer."""
    if request.method != "POST":
        # Someone who opened the form's address (a bookmark, a reload of an
        # old tab) gets the form itself rather than an empty 405.
        page = reverse("outages:service", args=[slug])
        return redirect(f"{page}#report-form")
    form = ReportForm(request.POST)
    if not form.is_valid():
        return render_service_page(request, slug, form=form, status=400)
    try:
        reporter = reporters.identify(request, timezone.now().date())
        draft = intake.validate(
            slug, form.cleaned_data["symptom"], form.region, reporter.country
        )
        accepted = intake.accept_report(draft, reporter, source=Report.Source.WEB)
    except intake.IntakeError as exc:
        if "service" in exc.errors:
            raise Http404(exc.errors["service"]) from None
        for field, message in exc.errors.items():
            form.add_error(field if field in form.fields else None, message)
        return render_service_page(request, slug, form=form, status=400)
    except intake.Throttled as exc:
        return _refused(
            request,
            slug,
            form,
            429,
            exc.retry_after,
            "You have sent several reports in the last minute. "
            f"Please wait {exc.retry_after} seconds before reporting again.",
        )
    except intake.Backpressure as exc:
        return _refused(
            request,
            slug,
            form,
            503,
            exc.retry_after,
            "Many reports are waiting to be counted. "
            f"Please try again in {exc.retry_after} seconds.",
        )
    except (intake.Unavailable, redis.RedisError):
        return _refused(
            request,
            slug,
            form,
            503,
            30,
            "We cannot store reports right now. Please try again in a minute.",
        )
    query = {"reported": accepted.symptom}
    if accepted.region:
        query["region"] = accepted.region
    url = reverse("outages:service", args=[slug])
    return redirect(f"{url}?{urlencode(query)}#result")


def _refused(request, slug, form, status, retry_after, message):
    """The page again, with the form as sent and why it was not taken."""
    form.add_error(None, message)
    response = render_service_page(request, slug, form=form, status=status)
    response["Retry-After"] = str(retry_after)
    return response

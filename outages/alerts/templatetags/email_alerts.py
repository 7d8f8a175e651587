"""The email alert form for a page that did not make one: the service page
renders it through outages/_email_alerts.html without knowing of it."""

from django import template
from django.conf import settings

from outages.alerts.forms import EmailAlertForm
from reports.forms import ReportForm

register = template.Library()


@register.simple_tag(takes_context=True)
def email_alert_form(context) -> EmailAlertForm:
    """The form the page was given (one to correct), or a new one for the
    country the report form guessed."""
    form = context.get("alert_form")
    if form is None:
        report = context.get("form")
        country = report["country"].value() if isinstance(report, ReportForm) else ""
        form = EmailAlertForm(initial={"country": country or ""})
    form.window_minutes = settings.ALERT_EMAIL_WINDOW_MINUTES
    return form

"""The email alert pages: the sign-up form's post, the confirmation and the
unsubscribe links.

Both links show a page with a button on GET and act only on POST: mail
scanners and link previews open every link in a message, and must neither
confirm an address for its owner nor unsubscribe it. The unsubscribe POST
takes no CSRF token and asks nothing more (RFC 8058 one-click: the mail
client posts "List-Unsubscribe=One-Click" by itself); the token in the link
is the whole authority.
"""

import redis
from django.conf import settings
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from outages.alerts import email_signup
from outages.alerts.forms import EmailAlertForm
from outages.alerts.models import EmailSubscription
from outages.catalog import lookup
from outages.models import Service
from reports import reporters


@require_POST
def sign_up(request, slug):
    service = get_object_or_404(Service, slug=slug, active=True)
    form = EmailAlertForm(request.POST)
    if not form.is_valid():
        return _form_page(request, service, form, 400)
    email = form.cleaned_data["email"]
    try:
        reporter = reporters.identify(request, timezone.now().date())
        email_signup.sign_up(email, service, form.cleaned_data["country"], reporter.key)
    except email_signup.TooMany as exc:
        form.add_error(None, str(exc))
        return _form_page(request, service, form, 429)
    except redis.RedisError:
        form.add_error(None, "Sign-ups cannot be taken right now. Please try again.")
        return _form_page(request, service, form, 503)
    messages.success(
        request,
        f"Almost done: follow the link in the message on its way to {email} "
        "to start the alerts. (An address that already gets them gets nothing "
        "new.)",
        extra_tags="email-alerts",
    )
    return redirect(f"{service.get_absolute_url()}#email-alerts")


def _form_page(request, service, form, status):
    context = {"service": service, "alert_form": form}
    return render(request, "alerts/signup.html", context, status=status)


@require_http_methods(["GET", "HEAD", "POST"])
def confirm(request, link):
    days = settings.ALERT_EMAIL_CONFIRM_DAYS
    try:
        if request.method == "POST":
            subscription = email_signup.confirm(link)
        else:
            subscription = email_signup.pending(link)
    except email_signup.LinkExpired:
        context = {"state": "expired", "days": days}
        return render(request, "alerts/confirm.html", context, status=410)
    except email_signup.LinkUnknown:
        return render(request, "alerts/confirm.html", {"state": "unknown"}, status=404)
    context = {
        **_described(subscription),
        "state": "ask" if subscription.confirmed_at is None else "confirmed",
    }
    return render(request, "alerts/confirm.html", context)


@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
def unsubscribe(request, token):
    # No token holds a NUL, and PostgreSQL refuses one in a query.
    if "\x00" in token:
        return _unknown(request)
    if request.method == "POST":
        # Done already is done: a second click (or the mail client's one
        # after the person's) is answered the same.
        email_signup.unsubscribe(token)
        return render(request, "alerts/unsubscribe.html", {"state": "done"})
    subscription = email_signup.by_token(token)
    if subscription is None:
        return _unknown(request)
    context = {**_described(subscription), "state": "ask"}
    return render(request, "alerts/unsubscribe.html", context)


def _unknown(request):
    return render(request, "alerts/unsubscribe.html", {"state": "unknown"}, status=404)


def _described(subscription: EmailSubscription) -> dict:
    region = subscription.region
    return {
        "subscription": subscription,
        "service": subscription.service,
        "region_name": lookup.region_name(region) if region else "",
    }

"""The pages: the list of services, a service's page and an incident's page.

Views are thin: each reads what the pipeline published and the buckets it
needs, and renders. The service page also carries the report form, whose
post is handled in `report`.
"""

from datetime import timedelta

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.cache import cache_page
from django.views.defaults import page_not_found

from outages.catalog import lookup, troubleshooting
from outages.models import Incident, Service, Symptom
from outages.pipeline.counts import symptom_shares
from outages.pipeline.status import current as current_status
from outages.pipeline.status import service_level
from outages.web import sentences
from outages.web.filters import search_services
from outages.web.places import places_by_severity
from outages.web.points import points, recent_reporters
from outages.web.sparklines import sparklines
from reports.forms import ReportForm
from reports.geo import country_of
from reports.reporters import client_address


@cache_page(settings.READ_CACHE_SECONDS, cache="local")
def home(request):
    query = request.GET.get("q", "").strip()[:100]
    services = search_services(Service.objects.filter(active=True), query)
    published = current_status()
    lines = sparklines(timezone.now())
    categories, troubled = {}, []
    for service in services.order_by("category", "name"):
        service.level = service_level(service.id, published)["level"]
        service.sparkline = lines.get(service.id)
        if service.level in ("possible", "outage"):
            troubled.append(service)
        categories.setdefault(service.get_category_display(), []).append(service)
    troubled.sort(key=lambda s: s.level != "outage")
    context = {
        "categories": categories,
        "query": query,
        "troubled": troubled,
        "known": published["at"] is not None,
    }
    return render(request, "outages/home.html", context)


def service(request, slug):
    return render_service_page(request, slug)


def render_service_page(request, slug, form=None, status=200):
    """The service page; `form` is a bound report form that needs correcting."""
    service = get_object_or_404(Service, slug=slug, active=True)
    place = lookup.place(request.GET.get("region", ""))
    if place is None:
        place = lookup.place(country_of(client_address(request)) or "")
    if form is None:
        form = ReportForm(
            country=place and place.country, subdivision=place and place.subdivision
        )
    now = timezone.now()
    day_ago = now - timedelta(hours=24)
    level = service_level(service.id)
    day = points(service.id, day_ago, now, 15)
    symptoms = list(Symptom.objects.all())
    incident = service.incidents.filter(state=Incident.State.ONGOING).first()
    if incident:
        incident.places = sentences.place_names(incident)
    past_incidents = list(service.incidents.filter(state=Incident.State.RESOLVED)[:5])
    for past in past_incidents:
        past.places = sentences.place_names(past, countries_only=True)
    context = {
        "share_title": f"Is {service.name} down?",
        "share_description": sentences.service_summary(
            service, incident, level["level"]
        ),
        "service": service,
        "form": form,
        "symptoms": symptoms,
        "first_steps": troubleshooting.first_steps(),
        "result": _result(request, service),
        "level": level["level"],
        "observed": level["observed"],
        "expected": level["expected"],
        "elevated": places_by_severity(level["regions"]),
        "incident": incident,
        "past_incidents": past_incidents,
        "chart": _chart(day),
        "peak": max(day, key=lambda p: p.reporters, default=None),
        "shares": _shares(symptom_shares(service.id, day_ago, now), symptoms),
    }
    return render(request, "outages/service.html", context, status=status)


def _chart(found) -> dict:
    """Columns for the chart script: epoch seconds, reports, the usual range."""
    return {
        "t": [int(p.at.timestamp()) for p in found],
        "reporters": [p.reporters for p in found],
        "expected": [p.expected for p in found],
        "low": [p.low for p in found],
        "high": [p.high for p in found],
    }


def _shares(shares: dict, symptoms=None) -> list[dict]:
    """Shares in % with the symptoms' labels (`symptoms` saves a query)."""
    labels = {s.slug: s.label for s in symptoms or Symptom.objects.all()}
    return [
        {"slug": slug, "label": labels.get(slug, slug), "percent": percent}
        for slug, percent in shares.items()
    ]


def incident(request, pk):
    incident = get_object_or_404(
        Incident.objects.select_related("service").prefetch_related("updates"), pk=pk
    )
    start = incident.opened_at - timedelta(hours=1)
    end = min(
        timezone.now(), (incident.resolved_at or timezone.now()) + timedelta(hours=1)
    )
    step = 1 if end - start <= timedelta(hours=6) else 15
    if start < timezone.now() - timedelta(days=settings.MINUTE_BUCKETS_RETENTION_DAYS):
        step = 60  # its minutes are gone; its hours are kept
    found = points(incident.service_id, start, end, step)
    context = {
        "share_title": sentences.incident_title(incident),
        "share_description": sentences.incident_summary(incident),
        "incident": incident,
        "service": incident.service,
        "regions": [
            {
                **r,
                "name": lookup.region_name(r["region"]) if r["region"] else "Worldwide",
            }
            for r in incident.regions
        ],
        "shares": _shares(incident.symptoms),
        "chart": _chart(found),
        "step": step,
    }
    return render(request, "outages/incident.html", context)


def _result(request, service):
    """After a report: do others have the problem, and what can one try?"""
    slug = request.GET.get("reported", "")
    # Checked against the catalog first: PostgreSQL refuses some text (a NUL).
    if lookup.symptom_id(slug) is None:
        return None
    symptom = Symptom.objects.filter(slug=slug).first()
    if symptom is None:
        return None
    place = lookup.place(request.GET.get("region", ""))
    country = place.country if place else None
    return {
        "symptom": symptom,
        "country": lookup.region_name(country) if country else None,
        "nearby": recent_reporters(service.id, country) if country else None,
        "worldwide": recent_reporters(service.id),
    }


def subdivisions(request, country):
    """A country's first-level subdivisions, for the report form's second menu."""
    place = lookup.place(country)
    if place is None or place.subdivision:
        return JsonResponse({"detail": f"Unknown country {country!r}."}, status=404)
    items = [{"code": c, "name": n} for c, n in lookup.subdivisions(country.upper())]
    return JsonResponse({"country": country.upper(), "subdivisions": items})


def not_found(request, exception):
    """404: JSON under /api/ (as the schema says), the plain page elsewhere."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": "Not found."}, status=404)
    return page_not_found(request, exception)

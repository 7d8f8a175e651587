from datetime import timedelta

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.cache import cache_page, never_cache
from django.views.defaults import page_not_found

from outages import bucketing, health, readings, series
from outages.catalog import lookup
from outages.filters import search_services
from outages.models import Incident, Service, Symptom
from outages.status import current as current_status
from outages.status import recent_reporters, service_level
from reports.forms import ReportForm
from reports.geo import country_of
from reports.reporters import client_address


def healthz(request):
    return JsonResponse({"status": "ok"})


@never_cache
def readyz(request):
    problems = health.readiness()
    down = [name for name, problem in problems.items() if problem]
    body = {
        "status": "unavailable" if down else "ok",
        "down": down,
        "checks": {name: problem or "ok" for name, problem in problems.items()},
    }
    if not problems["database"]:
        body["bucketing_lag_seconds"] = round(
            bucketing.bucketing_lag().total_seconds(), 3
        )
    return JsonResponse(body, status=503 if down else 200)


@cache_page(settings.READ_CACHE_SECONDS, cache="local")
def home(request):
    query = request.GET.get("q", "").strip()[:100]
    services = search_services(Service.objects.filter(active=True), query)
    levels = current_status()["services"]
    lines = readings.sparklines(timezone.now())
    categories, troubled = {}, []
    for service in services.order_by("category", "name"):
        service.level = levels.get(str(service.id), {}).get("level", "ok")
        service.sparkline = lines.get(service.id)
        if service.level != "ok":
            troubled.append(service)
        categories.setdefault(service.get_category_display(), []).append(service)
    troubled.sort(key=lambda s: s.level != "outage")
    context = {"categories": categories, "query": query, "troubled": troubled}
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
    points = readings.series(service.id, day_ago, now, 15)
    symptoms = list(Symptom.objects.all())
    context = {
        "service": service,
        "form": form,
        "symptoms": symptoms,
        "result": _result(request, service),
        "level": level["level"],
        "observed": level["observed"],
        "expected": level["expected"],
        "elevated": readings.places_by_severity(level["regions"]),
        "incident": service.incidents.filter(state=Incident.State.ONGOING).first(),
        "past_incidents": service.incidents.filter(state=Incident.State.RESOLVED)[:5],
        "chart": _chart(points),
        "peak": max(points, key=lambda p: p.reporters, default=None),
        "shares": _shares(series.symptom_shares(service.id, day_ago, now), symptoms),
    }
    return render(request, "outages/service.html", context, status=status)


def _chart(points) -> dict:
    """Columns for the chart script: epoch seconds, reports, the usual range."""
    return {
        "t": [int(p.at.timestamp()) for p in points],
        "reporters": [p.reporters for p in points],
        "expected": [p.expected for p in points],
        "low": [p.low for p in points],
        "high": [p.high for p in points],
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
    points = readings.series(incident.service_id, start, end, step)
    context = {
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
        "chart": _chart(points),
        "step": step,
    }
    return render(request, "outages/incident.html", context)


def _result(request, service):
    """After a report: do others have the problem, and what can one try?"""
    symptom = Symptom.objects.filter(slug=request.GET.get("reported", "")).first()
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
    if lookup.place(country) is None:
        return JsonResponse({"detail": f"Unknown country {country!r}."}, status=404)
    items = [{"code": c, "name": n} for c, n in lookup.subdivisions(country.upper())]
    return JsonResponse({"country": country.upper(), "subdivisions": items})


def not_found(request, exception):
    """404: JSON under /api/ (as the schema says), the plain page elsewhere."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": "Not found."}, status=404)
    return page_not_found(request, exception)

from django.db.models import CharField, F, Func, Q, Value
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.cache import never_cache

from outages import health
from outages.models import Service, Symptom


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
    return JsonResponse(body, status=503 if down else 200)


def home(request):
    query = request.GET.get("q", "").strip()[:100]
    services = Service.objects.filter(active=True)
    if query:
        services = services.annotate(
            alias_text=Func(
                F("aliases"),
                Value(" "),
                function="array_to_string",
                output_field=CharField(),
            )
        ).filter(
            Q(name__icontains=query)
            | Q(slug__icontains=query)
            | Q(alias_text__icontains=query)
        )
    categories = {}
    for service in services.order_by("category", "name"):
        categories.setdefault(service.get_category_display(), []).append(service)
    return render(
        request, "outages/home.html", {"categories": categories, "query": query}
    )


def service(request, slug):
    service = get_object_or_404(Service, slug=slug, active=True)
    symptoms = Symptom.objects.all()
    return render(
        request, "outages/service.html", {"service": service, "symptoms": symptoms}
    )

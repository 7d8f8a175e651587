"""A service's current level as a small SVG badge, for READMEs and dashboards.

The shape is the familiar two-part badge: the service's name on the left, the
level on the right in its colour. Widths come from an average character width,
as no font is measured on the server; the text is scaled to fit with
`textLength`, so a wide name never overflows.
"""

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.views.decorators.cache import cache_control

from outages.models import Service
from outages.pipeline.status import service_level

LOOKS = {
    "ok": ("no problems", "#2e7d32"),
    "possible": ("possible problems", "#b26a00"),
    "outage": ("problems", "#c62828"),
    "unknown": ("unknown", "#6e7781"),
}
CHARACTER_WIDTH = 6.5  # pixels of 11 px Verdana, on average
PADDING = 10


def text_width(text: str) -> int:
    return round(len(text) * CHARACTER_WIDTH) + PADDING


@cache_control(max_age=60, public=True)
def badge(request, slug):
    service = get_object_or_404(Service, slug=slug, active=True)
    level = service_level(service.id)["level"]
    words, colour = LOOKS.get(level, LOOKS["unknown"])
    left, right = text_width(service.name), text_width(words)
    context = {
        "name": service.name,
        "words": words,
        "colour": colour,
        "level": level,
        "left": left,
        "right": right,
        "width": left + right,
        "name_x": left / 2,
        "words_x": left + right / 2,
        "name_length": left - PADDING,
        "words_length": right - PADDING,
    }
    svg = render_to_string("outages/badge.svg", context)
    return HttpResponse(svg, content_type="image/svg+xml; charset=utf-8")

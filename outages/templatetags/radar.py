from datetime import timedelta

from django import template
from django.utils.html import format_html

register = template.Library()


@register.filter
def duration(value: timedelta) -> str:
    """A span as people say it: "45 min", "2 h 5 min", "3 days"."""
    minutes = max(0, int(value.total_seconds() // 60))
    if minutes < 60:
        return f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    if hours < 48:
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    return f"{hours // 24} days"


@register.simple_tag
def sparkline(values: list[int] | None, width: int = 96, height: int = 24):
    """A small line of the last day's reports, drawn on the server as SVG."""
    values = values or [0] * 24
    top = max(max(values), 1)
    step = width / max(len(values) - 1, 1)
    points = " ".join(
        f"{i * step:.1f},{height - 1 - (height - 2) * v / top:.1f}"
        for i, v in enumerate(values)
    )
    return format_html(
        '<svg class="sparkline" viewBox="0 0 {} {}" width="{}" height="{}" '
        'role="img" aria-label="{}"><polyline points="{}"/></svg>',
        width,
        height,
        width,
        height,
        f"Reports in the last 24 hours: at most {max(values)} an hour",
        points,
    )

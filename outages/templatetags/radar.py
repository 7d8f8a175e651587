"""Template filters and tags of the pages: durations as people say them,
times in the reader's zone, place names, sparklines."""

from datetime import UTC, datetime, timedelta

from django import template
from django.utils import dateformat, timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from outages.catalog import lookup

register = template.Library()

# How outages/local-times.js writes each style in the reader's zone.
TIME_STYLES = {"time": "H:i", "datetime": "M j, H:i"}


@register.simple_tag
def moment(value: datetime, style: str = "datetime"):
    """A <time> in UTC, which outages/local-times.js rewrites in the reader's
    zone; the UTC time stays in its title, and is what a page without
    JavaScript shows."""
    utc = dateformat.format(timezone.localtime(value, UTC), TIME_STYLES[style])
    return format_html(
        '<time datetime="{}" data-local="{}" title="{} UTC">{} UTC</time>',
        value.isoformat(),
        style,
        utc,
        utc,
    )


@register.filter
def region_name(code: str) -> str:
    """ "DE" as "Germany", "US-CA" as "California"; "" is the whole world."""
    return lookup.region_name(code) if code else "Worldwide"


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
    # Only numbers go in: built as a plain string, it costs a tenth of
    # format_html, and the home page draws one per service.
    return mark_safe(
        f'<svg class="sparkline" viewBox="0 0 {width} {height}" width="{width}" '
        f'height="{height}" role="img" aria-label="Reports in the last 24 hours: '
        f'at most {int(max(values))} an hour"><polyline points="{points}"/></svg>'
    )

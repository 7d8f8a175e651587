from datetime import timedelta

from django import template

register = template.Library()


@register.filter
def duration(value: timedelta) -> str:
    """A span as people say it: "45 min", "2 h 5 min", "3 days"."""
    minutes = int(value.total_seconds() // 60)
    if minutes < 60:
        return f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    if hours < 48:
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    return f"{hours // 24} days"

"""What every page's template may use: the site's name, from the environment."""

from django.conf import settings


def site(request) -> dict:
    return {"site_name": settings.SITE_NAME}

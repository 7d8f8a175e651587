"""What search engines and browsers ask a site for on their own: robots.txt,
the sitemap of the service pages, /favicon.ico."""

from django.contrib.sitemaps import Sitemap
from django.http import HttpResponse
from django.shortcuts import redirect
from django.templatetags.static import static
from django.urls import reverse
from django.views.decorators.cache import cache_control

from outages.models import Service


class PageSitemap(Sitemap):
    changefreq = "always"
    priority = 1.0

    def items(self):
        return ["outages:home", "outages:map"]

    def location(self, item):
        return reverse(item)


class ServiceSitemap(Sitemap):
    # A service page changes whenever people report: "always", as the
    # protocol says of pages that change each time they are read.
    changefreq = "always"
    priority = 0.8

    def items(self):
        return Service.objects.filter(active=True).order_by("slug")


SITEMAPS = {"pages": PageSitemap, "services": ServiceSitemap}


@cache_control(max_age=86400, public=True)
def robots(request):
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        "Disallow: /api/v1/",
        "Disallow: /s/*/report",
        f"Sitemap: {request.build_absolute_uri(reverse('sitemap'))}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain")


def favicon(request):
    """Browsers that ignore the pages' <link rel="icon"> ask for this path."""
    return redirect(static("outages/favicon.svg"))

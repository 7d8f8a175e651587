"""Atom feeds of incidents: all of them, one service's, one country's.

A feed reader polls these, so an incident appears as an entry when it opens
and the entry is updated (its `updated` time moves) as it changes and when
it resolves.
"""

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.db.models import BooleanField
from django.db.models.expressions import RawSQL
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed

from outages.catalog import lookup
from outages.models import Incident, Service
from outages.web import sentences

ENTRIES = 50


class IncidentFeed(Feed):
    feed_type = Atom1Feed

    def title(self, obj=None):
        return f"{settings.SITE_NAME}: incidents"

    def subtitle(self, obj=None):
        return "Outages people report, as the radar detects them."

    def link(self, obj=None):
        return reverse("outages:home")

    def incidents(self, obj):
        return Incident.objects.all()

    def items(self, obj=None):
        found = self.incidents(obj).select_related("service")
        return found.order_by("-opened_at")[:ENTRIES]

    def item_title(self, item):
        state = "ongoing" if item.state == Incident.State.ONGOING else "resolved"
        if item.false_alarm:
            state = "a false alarm"
        return f"{sentences.incident_title(item)} ({state})"

    def item_description(self, item):
        return sentences.incident_summary(item)

    def item_pubdate(self, item):
        return item.opened_at

    def item_updateddate(self, item):
        return item.updated_at

    def item_categories(self, item):
        return [item.service.name]


class ServiceIncidentFeed(IncidentFeed):
    def get_object(self, request, slug):
        return get_object_or_404(Service, slug=slug, active=True)

    def title(self, obj):
        return f"{settings.SITE_NAME}: {obj.name} incidents"

    def link(self, obj):
        return obj.get_absolute_url()

    def incidents(self, obj):
        return obj.incidents.all()


class CountryIncidentFeed(IncidentFeed):
    """Incidents with a place in the country: the country itself or one of
    its subdivisions (a worldwide incident lists the countries it is worst
    in among its places)."""

    def get_object(self, request, country):
        place = lookup.place(country)
        if place is None or place.subdivision:
            raise Http404(f"Unknown country {country!r}.")
        return place.country

    def title(self, obj):
        return f"{settings.SITE_NAME}: incidents in {lookup.region_name(obj)}"

    def link(self, obj):
        return reverse("outages:map")

    def incidents(self, obj):
        here = RawSQL(
            "EXISTS (SELECT 1 FROM jsonb_array_elements(outages_incident.regions)"
            " AS place WHERE place->>'region' = %s OR place->>'region' LIKE %s)",
            (obj, f"{obj}-%"),
            output_field=BooleanField(),
        )
        return Incident.objects.alias(here=here).filter(here=True)

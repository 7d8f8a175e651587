"""The outage map page, and the codes its script colours the atlas with.

The map draws shapes from the npm atlases (world-atlas keys countries by
their ISO 3166-1 number, us-atlas keys states by FIPS number and name); the
radar counts by ISO code ("DE", "US-CA"). `region_codes` bridges the two from
pycountry, so the browser needs no table of its own. What is elevated is
what `/api/v1/map` answers (`places.elevated_places`).
"""

from datetime import datetime
from functools import lru_cache

import pycountry
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import cache_control

from outages.web.places import elevated_places
from outages.web.serializers import MapSerializer

# Shapes world-atlas draws without an ISO number, and the country that
# counts their reports. The others (Kosovo, Siachen Glacier...) have no code
# in our catalog and stay uncoloured.
UNNUMBERED = {"Somaliland": "SO", "N. Cyprus": "CY"}
# us-atlas also draws the territories, but they have ISO 3166-1 codes of
# their own (PR, GU...) and world-atlas draws them as such.
STATE_TYPES = {"State", "District"}


@lru_cache(maxsize=1)
def region_codes() -> dict:
    """Atlas keys to region codes, and the names to show for them."""
    countries = {c.numeric: c.alpha_2 for c in pycountry.countries}
    states = {
        s.name: s.code
        for s in pycountry.subdivisions.get(country_code="US")
        if s.type in STATE_TYPES
    }
    # The same names as the catalog (outages.catalog.read_regions).
    names = {c.alpha_2: getattr(c, "common_name", c.name) for c in pycountry.countries}
    names.update({code: name for name, code in states.items()})
    return {
        "countries": countries,
        "unnumbered": UNNUMBERED,
        "states": states,
        "names": names,
    }


@cache_control(public=True, max_age=24 * 3600)
def codes(request):
    return JsonResponse(region_codes())


def outage_map(request):
    """The map, with the same regions as `/api/v1/map` listed for readers
    without JavaScript; the script draws them at once and then polls."""
    found = elevated_places()
    at = datetime.fromisoformat(found["at"]) if found["at"] else None
    context = {
        "share_title": "Outage map",
        "share_description": "Where people report more problems than normal right"
        " now, by country and region, across every service.",
        "regions": found["regions"],
        "at": at,
        # What the script would fetch from /api/v1/map, so it draws at once.
        "initial": MapSerializer(found, context={"request": request}).data,
    }
    return render(request, "outages/map.html", context)

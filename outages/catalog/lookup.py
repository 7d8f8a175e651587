"""Fast catalog look-ups for the write path.

The catalog changes rarely (a reload, an operator switching a service off),
so each process keeps it in memory and refreshes it after a short while,
instead of querying it for every report. While PostgreSQL is away the copy it
has keeps serving, so reports are still validated and accepted.
"""

import logging
import threading
import time
from dataclasses import dataclass

from django.db import DatabaseError

from outages.models import Region, Service, Symptom

REFRESH_SECONDS = 60.0
# After a failed refresh, when to try again.
RETRY_SECONDS = 5.0

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Place:
    """Where a report is counted: its country and first-level subdivision."""

    country: str
    subdivision: str | None


class _Catalog:
    def __init__(self):
        self.loaded_at = -REFRESH_SECONDS
        self.services: dict[str, int] = {}
        self.symptoms: dict[str, int] = {}
        self.places: dict[str, Place] = {}
        self.names: dict[str, str] = {}
        self._refreshing = threading.Lock()

    def fresh(self) -> "_Catalog":
        if time.monotonic() - self.loaded_at > REFRESH_SECONDS:
            # A web process serves from several threads: one refreshes while
            # the others keep reading the copy they have.
            with self._refreshing:
                if time.monotonic() - self.loaded_at > REFRESH_SECONDS:
                    self._refresh()
        return self

    def _refresh(self) -> None:
        try:
            self._load()
        except DatabaseError:
            if not self.places:
                raise
            log.warning("catalog refresh failed; serving the copy in memory")
            self.loaded_at = time.monotonic() - REFRESH_SECONDS + RETRY_SECONDS

    def _load(self) -> None:
        services = dict(Service.objects.filter(active=True).values_list("slug", "id"))
        symptoms = dict(Symptom.objects.values_list("slug", "id"))
        if not self.places:
            # Names first: whoever sees the places finds their names.
            self.names = dict(Region.objects.values_list("code", "name"))
            self.places = _places()
        self.services, self.symptoms = services, symptoms
        self.loaded_at = time.monotonic()


def _places() -> dict[str, Place]:
    parents = dict(Region.objects.values_list("code", "parent_id"))
    places = {}
    for code, parent in parents.items():
        if parent is None:
            places[code] = Place(country=code, subdivision=None)
            continue
        # Deeper subdivisions are counted under their first-level ancestor.
        first_level = code
        while parents[parent] is not None:
            first_level, parent = parent, parents[parent]
        places[code] = Place(country=parent, subdivision=first_level)
    return places


_catalog = _Catalog()


def service_id(slug: str) -> int | None:
    return _catalog.fresh().services.get(slug)


def symptom_id(slug: str) -> int | None:
    return _catalog.fresh().symptoms.get(slug)


def place(code: str) -> Place | None:
    """The place for an ISO code such as "DE", "us-ca" or "FR-75C"."""
    # ASCII first: "ß".upper() is "SS", a code.
    return _catalog.fresh().places.get(code.upper()) if code.isascii() else None


def service_slugs() -> list[str]:
    return sorted(_catalog.fresh().services)


def symptom_slugs() -> list[str]:
    return sorted(_catalog.fresh().symptoms)


def region_codes() -> list[str]:
    """Every code reports are counted under: countries and first-level
    subdivisions."""
    places = _catalog.fresh().places
    return sorted(code for code, p in places.items() if p.subdivision in (None, code))


def forget() -> None:
    """Drop the cached catalog (after a reload, and between tests)."""
    global _catalog
    _catalog = _Catalog()


def region_name(code: str) -> str:
    return _catalog.fresh().names.get(code, code)


def countries() -> list[tuple[str, str]]:
    """(code, name) of every country, by name."""
    catalog = _catalog.fresh()
    codes = [code for code, p in catalog.places.items() if p.subdivision is None]
    return sorted(((c, catalog.names[c]) for c in codes), key=lambda pair: pair[1])


def subdivisions(country: str) -> list[tuple[str, str]]:
    """(code, name) of a country's first-level subdivisions, by name."""
    catalog = _catalog.fresh()
    codes = [
        code
        for code, p in catalog.places.items()
        if p.country == country and p.subdivision == code
    ]
    return sorted(((c, catalog.names[c]) for c in codes), key=lambda pair: pair[1])

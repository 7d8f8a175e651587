"""Loading the catalog the radar knows: services, symptoms and ISO regions.

Services and symptoms come from the data files beside this module; regions
from pycountry. Loading is an upsert keyed by slug or code, so it can run on
every start: a second load changes nothing, and what an operator switched off
in the admin (a service's `active` flag) is left as they set it.
"""

import csv
import tomllib
from dataclasses import dataclass
from pathlib import Path

import pycountry
from django.db import transaction

from outages.models import Region, Service, Symptom

HERE = Path(__file__).resolve().parent
SERVICES_CSV = HERE / "services.csv"
SYMPTOMS_TOML = HERE / "symptoms.toml"


@dataclass(frozen=True)
class LoadResult:
    services: int
    symptoms: int
    regions: int


def read_services(path: Path = SERVICES_CSV) -> list[Service]:
    with path.open(newline="", encoding="utf-8") as f:
        return [
            Service(
                slug=row["slug"],
                name=row["name"],
                category=row["category"],
                aliases=[a for a in row["aliases"].split("|") if a],
                status_page=row["status_page"],
            )
            for row in csv.DictReader(f)
        ]


def read_symptoms(path: Path = SYMPTOMS_TOML) -> list[Symptom]:
    with path.open("rb") as f:
        entries = tomllib.load(f)["symptom"]
    return [
        Symptom(
            slug=entry["slug"],
            label=entry["label"],
            description=entry.get("description", ""),
            steps=entry["steps"],
            position=position,
        )
        for position, entry in enumerate(entries)
    ]


def read_regions() -> list[Region]:
    countries = [
        Region(
            code=country.alpha_2,
            name=getattr(country, "common_name", country.name),
            kind=Region.Kind.COUNTRY,
        )
        for country in pycountry.countries
    ]
    subdivisions = [
        Region(
            code=sub.code,
            name=sub.name,
            kind=Region.Kind.SUBDIVISION,
            type=sub.type,
            parent_id=sub.parent_code or sub.country_code,
        )
        for sub in pycountry.subdivisions
    ]
    return countries + subdivisions


@transaction.atomic
def load_catalog() -> LoadResult:
    services = read_services()
    symptoms = read_symptoms()
    regions = read_regions()
    Service.objects.bulk_create(
        services,
        update_conflicts=True,
        unique_fields=["slug"],
        update_fields=["name", "category", "aliases", "status_page"],
    )
    Symptom.objects.bulk_create(
        symptoms,
        update_conflicts=True,
        unique_fields=["slug"],
        update_fields=["label", "description", "steps", "position"],
    )
    # Foreign keys are checked at commit, so a subdivision may name a parent
    # that appears later in the same batch.
    Region.objects.bulk_create(
        regions,
        update_conflicts=True,
        unique_fields=["code"],
        update_fields=["name", "kind", "type", "parent"],
        batch_size=2000,
    )
    return LoadResult(len(services), len(symptoms), len(regions))

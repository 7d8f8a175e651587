import pycountry
import pytest
from django.forms.models import model_to_dict

from outages.catalog import load_catalog, read_services
from outages.models import Region, Service, Symptom


def snapshot():
    return {
        model.__name__: sorted(
            (tuple(sorted(model_to_dict(obj).items())) for obj in model.objects.all()),
            key=repr,
        )
        for model in (Service, Symptom, Region)
    }


@pytest.mark.django_db
def test_loading_the_catalog_twice_changes_nothing():
    first = load_catalog()
    before = snapshot()
    second = load_catalog()
    assert first == second
    assert snapshot() == before


def test_the_catalog_holds_every_iso_country_and_subdivision(catalog):
    countries = Region.objects.filter(kind=Region.Kind.COUNTRY)
    subdivisions = Region.objects.filter(kind=Region.Kind.SUBDIVISION)
    assert countries.count() == len(pycountry.countries)
    assert subdivisions.count() == len(pycountry.subdivisions)
    assert Region.objects.get(code="US-CA").parent_id == "US"
    # Nested subdivisions hang under their own parent, not the country.
    assert Region.objects.get(code="FR-75C").parent_id == "FR-IDF"
    assert not subdivisions.filter(parent=None).exists()


def test_the_catalog_holds_well_known_services_in_every_category(catalog):
    assert Service.objects.count() >= 100
    assert Service.objects.get(slug="tiktok").name == "TikTok"
    required = {
        "social",
        "video",
        "messaging",
        "gaming",
        "banking",
        "telecom",
        "isp",
        "cloud",
        "email",
        "payments",
        "streaming",
    }
    present = set(Service.objects.values_list("category", flat=True))
    assert required <= present


def test_every_symptom_has_troubleshooting_steps(catalog):
    slugs = list(Symptom.objects.values_list("slug", flat=True))
    assert slugs[:3] == ["app-wont-open", "login", "slow-loading"]
    for slug in (
        "upload",
        "error-messages",
        "feed",
        "live-streaming",
        "server-connection",
        "other",
    ):
        assert slug in slugs
    assert all(len(s.steps) >= 3 for s in Symptom.objects.all())


def test_reloading_keeps_a_service_an_operator_switched_off(catalog):
    Service.objects.filter(slug="tiktok").update(active=False)
    load_catalog()
    assert Service.objects.get(slug="tiktok").active is False


def test_service_data_file_has_valid_unique_slugs_and_known_categories():
    services = read_services()
    slugs = [s.slug for s in services]
    assert len(slugs) == len(set(slugs))
    for service in services:
        service.full_clean(validate_unique=False)


def test_a_services_status_page_is_loaded_and_shown_in_the_api(catalog, client):
    github = Service.objects.get(slug="github")
    assert github.status_page == "https://www.githubstatus.com"
    answer = client.get("/api/v1/services/github").json()
    assert answer["status_page"] == "https://www.githubstatus.com"
    # A service the catalog knows no status page of shows none.
    assert client.get("/api/v1/services/tiktok").json()["status_page"] is None


def test_reloading_the_catalog_updates_a_status_page(catalog):
    Service.objects.filter(slug="github").update(status_page="")
    load_catalog()
    assert Service.objects.get(slug="github").status_page.startswith("https://")

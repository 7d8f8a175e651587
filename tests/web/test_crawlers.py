"""What crawlers and browsers ask for on their own."""

from xml.etree import ElementTree

from outages.models import Service

SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def test_robots_txt_keeps_crawlers_out_of_the_admin_and_points_to_the_sitemap(
    client, db
):
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    lines = response.text.splitlines()
    assert "User-agent: *" in lines and "Disallow: /admin/" in lines
    assert "Sitemap: http://testserver/sitemap.xml" in lines


def test_the_sitemap_lists_every_active_service_page(client, catalog):
    Service.objects.filter(slug="tiktok").update(active=False)
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    root = ElementTree.fromstring(response.content)
    urls = {loc.text for loc in root.iter(f"{SITEMAP}loc")}
    active = Service.objects.filter(active=True)
    assert {f"http://testserver/s/{s.slug}/" for s in active} <= urls
    assert "http://testserver/" in urls and "http://testserver/map/" in urls
    assert "http://testserver/s/tiktok/" not in urls
    assert len(urls) == active.count() + 2


def test_favicon_ico_leads_to_the_sites_icon(client, db):
    response = client.get("/favicon.ico")
    assert response.status_code == 302
    assert response["Location"].endswith(".svg")
    assert "favicon" in response["Location"]

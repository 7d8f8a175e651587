def test_home_lists_the_catalog_by_category(client, catalog):
    response = client.get("/")
    assert response.status_code == 200
    assert b'href="/s/tiktok/"' in response.content
    assert "Social media" in response.text


def test_search_finds_a_service_by_its_alias(client, catalog):
    response = client.get("/", {"q": "twitter"})
    assert b'href="/s/x/"' in response.content
    assert b'href="/s/tiktok/"' not in response.content


def test_search_with_no_match_says_so(client, catalog):
    response = client.get("/", {"q": "no-such-service-anywhere"})
    assert response.status_code == 200
    assert "No service matches" in response.text


def test_an_unknown_service_page_is_404(client, catalog):
    assert client.get("/s/no-such-service/").status_code == 404

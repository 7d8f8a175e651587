import pytest

from outages.alerts import destinations
from outages.alerts.destinations import Refused, check


def test_a_public_https_address_is_accepted():
    found = check("https://hooks.example.com/radar?x=1")
    assert (found.scheme, found.host, found.port) == ("https", "hooks.example.com", 443)
    assert found.address == "93.184.215.14"
    assert check("https://8.8.8.8:8443/").port == 8443


@pytest.mark.parametrize(
    "url",
    [
        "https://127.0.0.1/hook",
        "https://10.1.2.3/hook",
        "https://192.168.0.10/hook",
        "https://169.254.169.254/latest/meta-data",
        "https://[::1]/hook",
        "https://[::ffff:127.0.0.1]/hook",
        "https://0.0.0.0/hook",
        "https://224.0.0.1/hook",
        "https://100.64.0.1/hook",
    ],
)
def test_a_private_address_is_refused(url):
    with pytest.raises(Refused, match="is not a public address"):
        check(url)


def test_a_name_with_one_private_address_among_public_ones_is_refused():
    with pytest.raises(Refused, match=r"resolves to 10\.0\.0\.5"):
        check("https://sneaky.example.com/hook")
    with pytest.raises(Refused, match=r"169\.254\.169\.254"):
        check("https://metadata.example.com/hook")


def test_plain_http_is_refused():
    with pytest.raises(Refused, match="must start with https://"):
        check("http://hooks.example.com/hook")


def test_a_name_that_does_not_resolve_is_refused():
    with pytest.raises(Refused, match="cannot be resolved"):
        check("https://nowhere.invalid/hook")


def test_credentials_in_the_url_are_refused():
    with pytest.raises(Refused, match="user name or password"):
        check("https://me:pw@hooks.example.com/hook")


def test_allowing_private_addresses_allows_http_and_loopback(settings):
    settings.WEBHOOK_ALLOW_PRIVATE = True
    found = check("http://127.0.0.1:8080/hook")
    assert (found.scheme, found.address, found.port) == ("http", "127.0.0.1", 8080)


@pytest.mark.parametrize(
    ("address", "public"),
    [("93.184.215.14", True), ("127.0.0.1", False), ("fe80::1%eth0", False)],
)
def test_is_public(address, public):
    assert destinations.is_public(address) is public

from datetime import date

from django.test import RequestFactory

from reports.reporters import identify

DAY = date(2026, 11, 24)


def who(address, agent="A"):
    request = RequestFactory().get("/", REMOTE_ADDR=address, HTTP_USER_AGENT=agent)
    return identify(request, DAY)


def test_addresses_of_one_ipv4_slash_24_are_one_network_and_slash_16_one_block():
    one, same_net, same_block, elsewhere = (
        who(a) for a in ("192.0.2.10", "192.0.2.200", "192.0.77.1", "198.51.100.1")
    )
    assert one.key != same_net.key and one.address != same_net.address
    assert one.network == same_net.network != same_block.network
    assert one.block == same_net.block == same_block.block != elsewhere.block


def test_ipv6_networks_are_slash_48s_in_slash_32_blocks():
    one, same_net, same_block = (
        who(a) for a in ("2001:db8:1:1::1", "2001:db8:1:ffff::9", "2001:db8:2::1")
    )
    assert one.network == same_net.network != same_block.network
    assert one.block == same_block.block


def test_an_ipv4_mapped_address_is_its_ipv4_address():
    assert who("::ffff:192.0.2.10") == who("192.0.2.10")


def test_the_user_agent_changes_the_reporter_but_not_the_network():
    a, b = who("192.0.2.10", "A"), who("192.0.2.10", "B")
    assert a.key != b.key
    assert (a.address, a.network, a.block) == (b.address, b.network, b.block)
    # Hashes, never the address or its prefix.
    assert "192.0" not in a.network + a.block + a.address + a.key

"""Where a webhook may send: public HTTPS addresses only.

A subscriber must not be able to make the worker call into the network it
runs in (a database, a cloud's metadata service), so every address the host
resolves to must be public, at subscription and again at each delivery, and
the delivery connects to the address that was checked: a name that resolves
elsewhere a moment later is not followed. WEBHOOK_ALLOW_PRIVATE lifts both
rules, for development and tests.
"""

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings


class Refused(ValueError):
    """A destination the worker will not send to; the message says why."""


@dataclass(frozen=True)
class Destination:
    scheme: str
    host: str
    port: int
    address: str  # the checked IP address to connect to


def resolve(host: str, port: int) -> list[str]:
    """Every address `host` resolves to (a literal resolves to itself)."""
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise Refused(f"The host {host!r} cannot be resolved ({exc}).") from None
    return list(dict.fromkeys(info[4][0] for info in found))


def is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])  # no IPv6 zone
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return ip.is_global and not (
        ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_reserved
        or ip.is_multicast
        or ip.is_unspecified
    )


def check(url: str) -> Destination:
    """Where to send for `url`; Refused if it may not be sent to."""
    allow_private = settings.WEBHOOK_ALLOW_PRIVATE
    parts = urlsplit(url)
    schemes = {"https", "http"} if allow_private else {"https"}
    if parts.scheme not in schemes:
        raise Refused("The URL must start with https://.")
    if parts.username or parts.password:
        raise Refused("The URL must not carry a user name or password.")
    try:
        port = parts.port
    except ValueError:
        port = 0
    if port == 0:  # urlsplit takes ":0", which nothing listens on
        raise Refused("The URL's port is not a number from 1 to 65535.")
    port = port or (443 if parts.scheme == "https" else 80)
    host = parts.hostname
    if not host:
        raise Refused("The URL has no host.")
    addresses = resolve(host, port)
    if not addresses:
        raise Refused(f"The host {host!r} has no address.")
    if not allow_private:
        private = [a for a in addresses if not is_public(a)]
        if private:
            raise Refused(
                f"The host {host!r} resolves to {private[0]}, which is not a "
                "public address."
            )
    return Destination(parts.scheme, host, port, addresses[0])

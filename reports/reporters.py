"""Who is reporting, without knowing who they are.

A reporter is a keyed hash of the client's network address and user agent.
The key is a random salt kept in Redis for one UTC day and then dropped, so a
stored hash can be linked to an address only on the day it was made, and only
by someone holding that day's salt. No raw address leaves this module.

Changing the user agent makes a new reporter, so what the detector counts is
also bounded per network (docs/abuse.md): each report carries the hashes of
its network (the IPv4 /24 or IPv6 /48 around the address) and of the larger
block around that (IPv4 /16, IPv6 /32), under the same daily salt.
"""

import hashlib
import ipaddress
import secrets
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.http import HttpRequest

from config import redis
from reports.geo import country_of

_salts: dict[str, bytes] = {}


# Prefix lengths (IPv4, IPv6): what one household, office or small provider
# holds, and what one provider or hosting company often holds.
NETWORK_PREFIX = (24, 48)
BLOCK_PREFIX = (16, 32)


@dataclass(frozen=True)
class Reporter:
    key: str  # identifies a person: address and user agent
    address: str  # identifies the address alone, for its rate limit
    network: str  # the /24 or /48 around the address
    block: str  # the /16 or /32 around the address
    country: str | None  # from the address, when it has one


def client_address(request: HttpRequest) -> str:
    """The client's address: the socket's, or the one a trusted proxy saw."""
    hops = settings.TRUSTED_PROXY_COUNT
    if hops:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        chain = [a.strip() for a in forwarded.split(",") if a.strip()]
        # Each trusted proxy appends the address it saw; anything further left
        # came from the client and may be forged.
        if len(chain) >= hops:
            return chain[-hops]
    return request.META.get("REMOTE_ADDR", "")


def networks_of(address: str) -> tuple[str, str, str]:
    """The address (its /64 for IPv6, where one person may hold many), its
    network and its block; an address that is not one (a Unix socket's "")
    stands for itself in all three. Parsed once: this runs on every report."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address, address, address
    if ip.version == 6 and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    if ip.version == 4:
        n = int(ip)
        network, block = (
            _ipv4_network(n, p[0]) for p in (NETWORK_PREFIX, BLOCK_PREFIX)
        )
        return str(ip), network, block
    return tuple(
        str(ipaddress.IPv6Network((ip, length), strict=False))
        for length in (64, NETWORK_PREFIX[1], BLOCK_PREFIX[1])
    )


def _ipv4_network(n: int, length: int) -> str:
    n &= (0xFFFFFFFF << (32 - length)) & 0xFFFFFFFF
    return f"{n >> 24}.{n >> 16 & 255}.{n >> 8 & 255}.{n & 255}/{length}"


def daily_salt(day: date) -> bytes:
    name = day.isoformat()
    salt = _salts.get(name)
    if salt is None:
        key = f"radar:salt:{name}"
        r = redis.client()
        # The first process to ask makes the day's salt; it expires after the
        # day (and the de-dup window that may straddle midnight) is over.
        r.set(key, secrets.token_bytes(32), nx=True, ex=2 * 86400)
        salt = r.get(key)
        _salts.clear()
        _salts[name] = salt
    return salt


def keyed_hash(salt: bytes, *parts: str, size: int = 16) -> str:
    message = "\x1f".join(parts).encode()
    return hashlib.blake2b(message, key=salt, digest_size=size).hexdigest()


def identify(request: HttpRequest, day: date) -> Reporter:
    address = client_address(request)
    own, network, block = networks_of(address)
    user_agent = request.META.get("HTTP_USER_AGENT", "")[:512]
    salt = daily_salt(day)
    return Reporter(
        key=keyed_hash(salt, "reporter", own, user_agent),
        address=keyed_hash(salt, "network", own),
        # Eight bytes are plenty to tell a day's networks apart, and they are
        # stored on every report.
        network=keyed_hash(salt, "net", network, size=8),
        block=keyed_hash(salt, "block", block, size=8),
        country=country_of(address),
    )

"""Who is reporting, without knowing who they are.

A reporter is a keyed hash of the client's network address and user agent.
The key is a random salt kept in Redis for one UTC day and then dropped, so a
stored hash can be linked to an address only on the day it was made, and only
by someone holding that day's salt. No raw address leaves this module.
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


@dataclass(frozen=True)
class Reporter:
    key: str  # identifies a person: address and user agent
    network: str  # identifies a network: the address alone
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


def network_of(address: str) -> str:
    """The address, or its /64 for IPv6, where one person may hold many."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address
    if ip.version == 6:
        if ip.ipv4_mapped:
            return str(ip.ipv4_mapped)
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


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


def keyed_hash(salt: bytes, *parts: str) -> str:
    message = "\x1f".join(parts).encode()
    return hashlib.blake2b(message, key=salt, digest_size=16).hexdigest()


def identify(request: HttpRequest, day: date) -> Reporter:
    address = client_address(request)
    network = network_of(address)
    user_agent = request.META.get("HTTP_USER_AGENT", "")[:512]
    salt = daily_salt(day)
    return Reporter(
        key=keyed_hash(salt, "reporter", network, user_agent),
        network=keyed_hash(salt, "network", network),
        country=country_of(address),
    )

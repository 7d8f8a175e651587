"""The country of an address, from the offline database geoip2fast ships."""

from functools import lru_cache

from geoip2fast import GeoIP2Fast


@lru_cache(maxsize=1)
def _database() -> GeoIP2Fast:
    # The IPv6 file holds the IPv4 ranges as well.
    return GeoIP2Fast(geoip2fast_data_file="geoip2fast-ipv6.dat.gz", verbose=False)


def country_of(address: str) -> str | None:
    """ISO 3166-1 alpha-2 code, or None for private or unknown addresses."""
    if not address:
        return None
    code = _database().lookup(address).country_code
    return code if len(code) == 2 and code.isalpha() else None

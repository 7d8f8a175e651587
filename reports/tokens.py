"""API tokens, remembered for a minute by each web process.

An integrator's batches keep being accepted while PostgreSQL restarts: the
intake log needs no database, and neither should the token check for a token
seen moments ago. The cost is that a revoked token keeps working for up to
REMEMBER_SECONDS in each process.
"""

import time

from rest_framework.authentication import TokenAuthentication

REMEMBER_SECONDS = 60.0

_known: dict[str, tuple[float, tuple]] = {}


class RememberedTokenAuthentication(TokenAuthentication):
    def authenticate_credentials(self, key):
        now = time.monotonic()
        remembered = _known.get(key)
        if remembered and now - remembered[0] < REMEMBER_SECONDS:
            return remembered[1]
        credentials = super().authenticate_credentials(key)
        if len(_known) > 1000:
            _known.clear()
        _known[key] = (now, credentials)
        return credentials


def forget() -> None:
    """Drop remembered tokens (between tests, after a revocation)."""
    _known.clear()

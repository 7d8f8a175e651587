"""API tokens, remembered for a minute by each web process.

An integrator's batches keep being accepted while PostgreSQL restarts: the
intake log needs no database, and neither should the token check for a token
seen moments ago. They are kept in the process's own cache (the "local" one
the read answers use). The cost is that a revoked token keeps working for up
to REMEMBER_SECONDS in each process, and a changed allowance takes as long.
"""

from django.conf import settings
from django.core.cache import caches
from rest_framework.authentication import TokenAuthentication

from reports.models import Integrator

REMEMBER_SECONDS = 60


class RememberedTokenAuthentication(TokenAuthentication):
    def authenticate_credentials(self, key):
        cache, name = caches["local"], f"radar:token:{key}"
        credentials = cache.get(name)
        if credentials is None:
            credentials = super().authenticate_credentials(key)
            user, token = credentials
            # Kept on the token, so the batch needs no query of its own.
            token.allowance = (
                Integrator.objects.filter(user=user)
                .values_list("reporters_per_minute", flat=True)
                .first()
                or settings.TOKEN_REPORTERS_PER_MINUTE
            )
            cache.set(name, credentials, REMEMBER_SECONDS)
        return credentials

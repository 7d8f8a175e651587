"""The ceiling for bench/ingest.py: the least a Django endpoint can do.

One URL that answers 204, no middleware, no apps, no database. Served by
gunicorn with the same workers and flags as the radar, it shows how many
requests per second this machine can push through gunicorn and Django at all,
so the radar's figure can be read as a fraction of that.

    .venv/bin/gunicorn --pythonpath bench bare:application

With BARE_LOG_URL set to a Redis URL it is the durable ceiling instead: the
same endpoint appends each request's body to a stream there before it answers,
and does nothing else. On a Redis set up as the radar's (AOF, synced as
INTAKE_FSYNC says), it shows what one durable append costs a Django endpoint
on this machine, which no intake that keeps the 2xx promise can do without.
"""

import os
import secrets

from django.conf import settings
from django.core.wsgi import get_wsgi_application
from django.http import HttpResponse
from django.urls import path
from redis import Redis

settings.configure(
    DEBUG=False,
    SECRET_KEY=secrets.token_urlsafe(50),
    ALLOWED_HOSTS=["127.0.0.1", "localhost"],
    ROOT_URLCONF=__name__,
    MIDDLEWARE=[],
    INSTALLED_APPS=[],
)


DURABLE_STREAM = "bench:durable"
LOG_URL = os.environ.get("BARE_LOG_URL")
log = Redis.from_url(LOG_URL) if LOG_URL else None


def accept(request):
    if log is not None:
        log.xadd(DURABLE_STREAM, {"b": request.body})
    return HttpResponse(status=204)


# The radar's path, so one wrk script drives both servers.
urlpatterns = [path("api/v1/reports", accept)]

application = get_wsgi_application()

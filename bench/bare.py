"""The ceiling for bench/ingest.py: the least a Django endpoint can do.

One URL that answers 204, no middleware, no apps, no database. Served by
gunicorn with the same workers and flags as the radar, it shows how many
requests per second this machine can push through gunicorn and Django at all,
so the radar's figure can be read as a fraction of that.

    .venv/bin/gunicorn --pythonpath bench bare:application
"""

import secrets

from django.conf import settings
from django.core.wsgi import get_wsgi_application
from django.http import HttpResponse
from django.urls import path

settings.configure(
    DEBUG=False,
    SECRET_KEY=secrets.token_urlsafe(50),
    ALLOWED_HOSTS=["127.0.0.1", "localhost"],
    ROOT_URLCONF=__name__,
    MIDDLEWARE=[],
    INSTALLED_APPS=[],
)


def accept(request):
    return HttpResponse(status=204)


# The radar's path, so one wrk script drives both servers.
urlpatterns = [path("api/v1/reports", accept)]

application = get_wsgi_application()

"""The WSGI application, loaded whole before it serves.

Django imports the URLconf, and with it every view, on the first request a
process serves, and the charts import SciPy on first use: seconds that the
first visitors of each web worker would wait. Loading both here spends them
at boot instead; with gunicorn's --preload (scripts/run.sh, the image) once,
in the master, before it opens the port, and the forked workers share it.
"""

import importlib
import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

application = get_wsgi_application()
get_resolver().url_patterns  # noqa: B018 (imports the URLconf and the views)
importlib.import_module("scipy.stats")  # what outages/web/band.py imports late

"""The WSGI application, loaded whole before it serves.

Django imports the URLconf, and with it every view, on the first request a
process serves, and the charts import SciPy on first use: seconds that the
first visitors of each web worker would wait. Loading both here spends them
at boot instead; with gunicorn's --preload (scripts/run.sh, the image) once,
in the master, before it opens the port, and the forked workers share it.

The report endpoint is served ahead of Django's request stack
(reports/wsgi.py): the path every report takes.
"""

import importlib
import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

application = get_wsgi_application()

from reports.wsgi import with_fast_intake  # noqa: E402 (needs the apps loaded)

application = with_fast_intake(application)
get_resolver().url_patterns  # noqa: B018 (imports the URLconf and the views)
importlib.import_module("scipy.stats")  # what outages/web/band.py imports late

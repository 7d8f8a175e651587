"""POST /api/v1/reports served ahead of Django's request stack.

Every report takes this path, and measured, Django's URL resolution, its
middleware chain and the request-started signal cost more than the report's
own work (docs/ingest.md). So the WSGI application hands this one path
straight to its view (the same ReportCreateApi, on a Django request), and
gives the answer the headers the security middlewares would add, through
those middlewares' own `process_response`. Anything out of the ordinary
(another path or method, a host not allowed, plain HTTP where HTTPS is
required) takes the normal way through Django.
"""

from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.core.handlers.exception import response_for_exception
from django.core.handlers.wsgi import WSGIRequest
from django.middleware.clickjacking import XFrameOptionsMiddleware
from django.middleware.security import SecurityMiddleware

PATH = "/api/v1/reports"


def with_fast_intake(django_application):
    """`django_application`, with the report endpoint served ahead of it."""
    from reports.api import ReportCreateApi

    view = ReportCreateApi.as_view()
    security = SecurityMiddleware(lambda request: None)
    frames = XFrameOptionsMiddleware(lambda request: None)

    def application(environ, start_response):
        if environ.get("PATH_INFO") != PATH or environ["REQUEST_METHOD"] != "POST":
            return django_application(environ, start_response)
        request = WSGIRequest(environ)
        try:
            request.get_host()  # ALLOWED_HOSTS, as CommonMiddleware checks it
        except DisallowedHost:
            return django_application(environ, start_response)
        if settings.SECURE_SSL_REDIRECT and not request.is_secure():
            return django_application(environ, start_response)
        try:
            response = view(request)
        except Exception as exc:  # a bug: logged and answered as Django would
            response = response_for_exception(request, exc)
        response = frames.process_response(
            request, security.process_response(request, response)
        )
        if not response.has_header("Content-Length"):
            response["Content-Length"] = str(len(response.content))
        start_response(
            f"{response.status_code} {response.reason_phrase}",
            list(response.items()),
        )
        return response

    return application

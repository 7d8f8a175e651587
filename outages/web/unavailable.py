"""A clear 503 when PostgreSQL is away, instead of a server error.

Reports are still accepted then (they wait in the intake log), but pages and
the read API read PostgreSQL: they say so, with a time to retry. Only the
errors that mean it is away (a lost or refused connection): PostgreSQL's
refusal of a value (a DataError) is a request's fault, or a bug, and telling
its client to retry would be wrong.
"""

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse

RETRY_SECONDS = 30
MESSAGE = (
    "The radar's database is not answering right now; reports are still being "
    "taken and will be counted when it returns. Please retry shortly."
)


class DatabaseUnavailableMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, OperationalError | InterfaceError):
            return None
        if request.path.startswith("/api/"):
            response = JsonResponse({"detail": MESSAGE}, status=503)
        else:
            response = HttpResponse(
                f"<!doctype html><title>Temporarily unavailable</title><p>{MESSAGE}",
                status=503,
            )
        response["Retry-After"] = str(RETRY_SECONDS)
        return response

"""Pages and the read API read from a replica, when there is one.

With DATABASE_REPLICA_URL set, a GET or HEAD request (a page, a feed, a badge,
the read API) reads from the replica, which may lag the primary by a moment:
that is fine for what people look at. Everything else uses the primary: the
report intake and every form and API write, the admin (which must see its own
writes), the probes (which judge the primary) and every Celery task, the
detector among them, since none of them may decide on data that lags.
"""

from contextvars import ContextVar

from django.conf import settings

REPLICA = "replica"
# Paths whose GETs still read the primary.
PRIMARY_PATHS = ("/admin/", "/healthz", "/readyz")

_reading = ContextVar("reading_from_replica", default=False)


class ReplicaRouter:
    def db_for_read(self, model, **hints):
        return REPLICA if _reading.get() else None

    def db_for_write(self, model, **hints):
        return None

    def allow_relation(self, obj1, obj2, **hints):
        return True  # the same tables, one copy behind the other

    def allow_migrate(self, db, app_label, **hints):
        return db != REPLICA


class ReplicaReadsMiddleware:
    """Marks a GET or HEAD request as one whose reads may go to the replica."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.active = REPLICA in settings.DATABASES

    def __call__(self, request):
        if not (
            self.active
            and request.method in ("GET", "HEAD")
            and not request.path.startswith(PRIMARY_PATHS)
        ):
            return self.get_response(request)
        token = _reading.set(True)
        try:
            return self.get_response(request)
        finally:
            _reading.reset(token)

"""Project configuration: settings, URLs, Celery, WSGI/ASGI, the Redis client."""

from .celery import app as celery_app

__all__ = ("celery_app",)

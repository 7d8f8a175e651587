"""The intake log seen from a test: what waits in it, and what was moved."""

from outages.pipeline.bucketing import bucket_new_reports
from reports import log
from reports.models import Report


def logged() -> int:
    """Reports waiting in the intake log."""
    return log.backlog().reports


def stored():
    """The stored reports, once bucketing has moved the log to PostgreSQL."""
    bucket_new_reports()
    return Report.objects

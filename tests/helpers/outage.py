"""A moment to pin the clock at, and a crowd that reports through the API."""

from datetime import UTC, datetime

from outages.detection.clock import MINUTE

NOW = datetime(2026, 11, 24, 12, 0, 30, tzinfo=UTC)

__all__ = ["MINUTE", "NOW", "person", "surge"]


def person(i: int) -> dict:
    """The request headers of person `i` of a real-looking crowd: a user agent
    and a private address of their own, each in its own /24 and, for the
    first 256 people, its own /16."""
    return {
        "HTTP_USER_AGENT": f"person-{i}",
        "REMOTE_ADDR": f"10.{i % 256}.{i // 256 % 256}.1",
    }


def surge(client, people, region="DE", symptom="login", start=0):
    """`people` distinct reporters report the service through the API."""
    for i in range(start, start + people):
        response = client.post(
            "/api/v1/reports",
            {"service": "tiktok", "symptom": symptom, "region": region},
            content_type="application/json",
            **person(i),
        )
        assert response.status_code == 201

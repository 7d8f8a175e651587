"""A moment to pin the clock at, and a crowd that reports through the API."""

from datetime import UTC, datetime

from outages.detection.clock import MINUTE

NOW = datetime(2026, 11, 24, 12, 0, 30, tzinfo=UTC)

__all__ = ["MINUTE", "NOW", "surge"]


def surge(client, people, region="DE", symptom="login", start=0):
    """`people` distinct reporters report the service through the API."""
    for i in range(start, start + people):
        response = client.post(
            "/api/v1/reports",
            {"service": "tiktok", "symptom": symptom, "region": region},
            content_type="application/json",
            HTTP_USER_AGENT=f"person-{i}",
        )
        assert response.status_code == 201

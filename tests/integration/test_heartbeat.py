import pytest

from outages.models import Heartbeat
from outages.tasks import record_heartbeat
from tests.helpers.servers import celery_worker, wait_until


@pytest.mark.django_db(transaction=True)
def test_a_real_worker_runs_the_heartbeat_task(client):
    with celery_worker():
        record_heartbeat.delay()
        beat = wait_until(lambda: Heartbeat.objects.first(), timeout=30)
    assert beat.worker.startswith("test-")
    assert client.get("/readyz").json()["checks"]["worker"] == "ok"

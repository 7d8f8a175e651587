"""Many clients at once against a real threaded server, PostgreSQL and Redis."""

import http.client
import json
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlsplit

import pytest
from django.db.models import Sum

from outages.catalog import load_catalog, lookup
from outages.models import Bucket
from tests.helpers.intake import stored

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def server(live_server):
    load_catalog()
    lookup.forget()
    return urlsplit(live_server.url)


def post_report(server, body, agent="A", key=None, source="127.0.0.1"):
    """POST a report from `source`, an address of the loopback network."""
    headers = {"Content-Type": "application/json", "User-Agent": agent}
    if key:
        headers["Idempotency-Key"] = key
    connection = http.client.HTTPConnection(
        "127.0.0.1", server.port, timeout=30, source_address=(source, 0)
    )
    try:
        connection.request("POST", "/api/v1/reports", json.dumps(body), headers)
        response = connection.getresponse()
        return response.status, json.loads(response.read() or b"null")
    finally:
        connection.close()


def all_at_once(count, call):
    """Run `call(i)` from `count` threads released together."""
    start = threading.Barrier(count)

    def run(i):
        start.wait()
        return call(i)

    with ThreadPoolExecutor(count) as pool:
        return list(pool.map(run, range(count)))


def test_fifty_concurrent_reports_from_one_client_admit_at_most_the_limit(
    server, settings
):
    settings.REPORTS_PER_MINUTE = 5
    body = {"service": "tiktok", "symptom": "login", "region": "DE"}
    results = all_at_once(50, lambda i: post_report(server, body))
    statuses = Counter(status for status, _ in results)
    assert statuses == {201: 5, 429: 45}
    assert stored().count() == 5


def test_concurrent_repeats_and_retries_store_what_was_accepted_and_count_people(
    server,
):
    people = 20

    def person(i):
        """Three reports, the first sent twice at once with one key, as a retry.

        One script decides a key atomically, so the twins never meet in flight:
        one is logged, the other replays its answer.
        """
        # Each person in a network of their own, so all of them count.
        agent, source = f"person-{i}", f"127.60.{i}.1"
        first = {"service": "tiktok", "symptom": "login", "region": "US-CA"}
        key = f"first-{i}"
        with ThreadPoolExecutor(2) as pool:
            tries = list(
                pool.map(lambda _: post_report(server, first, agent, key, source), "ab")
            )
        assert tries[0] == tries[1]
        later = [
            post_report(
                server,
                {"service": "tiktok", "symptom": s, "region": "US"},
                agent,
                source=source,
            )
            for s in ("feed", "upload")
        ]
        return tries + later

    answers = [a for answers in all_at_once(people, person) for a in answers]
    assert {status for status, _ in answers} == {201}
    accepted_ids = {body["id"] for _, body in answers}
    assert len(accepted_ids) == 3 * people
    assert set(stored().values_list("intake_id", flat=True)) == accepted_ids

    worldwide = Bucket.objects.filter(region="").aggregate(
        reports=Sum("reports"), reporters=Sum("reporters")
    )
    assert worldwide == {"reports": 3 * people, "reporters": people}

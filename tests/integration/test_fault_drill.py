"""The fault drill: real processes, steady load, and three faults in a row.

A PostgreSQL cluster, a Redis syncing its append-only file on every write, a
gunicorn and a Celery worker (with beat), all of their own. While clients send
single reports and batches (each with an Idempotency-Key, retried on 503 as a
careful client would), the drill SIGKILLs the worker, SIGKILLs Redis and
restarts PostgreSQL. Afterwards every accepted report is stored and counted
exactly once, and the only refusals were 503s with Retry-After while Redis was
down.
"""

import http.client
import json
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field

import psycopg
import redis

from tests.helpers.servers import ROOT, free_port, wait_until

POSTGRES = str(ROOT / "scripts" / "postgres.sh")
BATCH = 50
# A margin around Redis's outage for refusals it caused: a web process finds
# its pooled connections broken on the first command after the restart.
MARGIN_SECONDS = 3.0


@dataclass
class World:
    directory: str
    pg_port: int = field(default_factory=free_port)
    redis_port: int = field(default_factory=free_port)
    web_port: int = field(default_factory=free_port)
    processes: dict = field(default_factory=dict)
    # The worker is kept alive as `make run` and the compose file keep it: a
    # Celery worker can die of a broker connection lost mid-reply (an
    # "Unrecoverable error" in kombu), and the radar heals by starting it
    # again. How often that happened here is part of the figures.
    worker_deaths: int = 0
    lock: threading.RLock = field(default_factory=threading.RLock)
    keeping: threading.Event = field(default_factory=threading.Event)

    @property
    def env(self) -> dict:
        url = subprocess.run(
            [POSTGRES, "url", f"{self.directory}/pg", str(self.pg_port), "radar"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        return {
            **os.environ,
            "DATABASE_URL": url,
            "REDIS_URL": f"redis://127.0.0.1:{self.redis_port}/0",
            "INTAKE_FSYNC": "always",
            "REPORTS_PER_MINUTE": "1000",
            "NETWORK_REPORTS_PER_MINUTE": "1000000",
            "DEMO": "0",
            "DEBUG": "1",
        }

    def manage(self, *args):
        subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=self.env,
            check=True,
            capture_output=True,
        )

    def start_postgres(self):
        subprocess.run(
            [POSTGRES, "start", f"{self.directory}/pg", str(self.pg_port), "radar"],
            check=True,
            capture_output=True,
        )

    def stop_postgres(self):
        subprocess.run([POSTGRES, "stop", f"{self.directory}/pg"], check=True)

    def start_redis(self):
        self.processes["redis"] = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.redis_port),
                "--bind",
                "127.0.0.1",
                "--dir",
                self.directory,
                "--save",
                "",
                "--appendonly",
                "yes",
                "--appendfsync",
                "always",
                "--maxmemory-policy",
                "noeviction",
            ],
            stdout=subprocess.DEVNULL,
        )
        wait_until(self.redis_answers, timeout=20)

    def redis_answers(self) -> bool:
        try:
            return redis.Redis(port=self.redis_port).ping()
        except redis.RedisError:
            return False

    def start_worker(self):
        with self.lock, open(f"{self.directory}/worker.log", "a") as log:
            self.processes["worker"] = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "celery",
                    "-A",
                    "config",
                    "worker",
                    "-B",
                    "-c",
                    "2",
                    "-n",
                    f"drill-{uuid.uuid4().hex[:6]}@localhost",
                    "--schedule",
                    f"{self.directory}/beat-schedule",
                    "--without-mingle",
                    "--without-gossip",
                ],
                cwd=ROOT,
                env=self.env,
                stdout=subprocess.DEVNULL,
                stderr=log,
                start_new_session=True,
            )

    def worker_log(self, lines: int = 60) -> str:
        with open(f"{self.directory}/worker.log") as f:
            return "".join(f.readlines()[-lines:])

    def start_web(self):
        self.processes["web"] = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "config.wsgi",
                "-c",
                "python:config.gunicorn",
                "--bind",
                f"127.0.0.1:{self.web_port}",
                "--workers",
                "2",
            ],
            cwd=ROOT,
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )

    def keep_worker_alive(self):
        while not self.keeping.wait(0.5):
            with self.lock:
                worker = self.processes.get("worker")
                if self.keeping.is_set() or worker is None:
                    continue
                if worker.poll() is not None:
                    self.worker_deaths += 1
                    self.start_worker()

    def kill(self, name):
        with self.lock:
            process = self.processes.pop(name)
        with_group = name != "redis"
        if with_group:
            os.killpg(process.pid, signal.SIGKILL)
        else:
            process.kill()
        process.wait(20)

    def sql(self, query):
        env = self.env
        with psycopg.connect(
            env["DATABASE_URL"].replace("postgres://", "postgresql://")
        ) as c:
            return c.execute(query).fetchall()


@contextmanager
def world(tmp_path):
    directory = tmp_path / "drill"
    directory.mkdir()
    w = World(str(directory))
    w.start_postgres()
    try:
        w.start_redis()
        w.manage("migrate", "--noinput")
        w.manage("loadcatalog")
        w.manage(
            "shell",
            "-c",
            "from django.contrib.auth.models import User; "
            "from rest_framework.authtoken.models import Token; "
            "Token.objects.create(key='drill' * 8, "
            "user=User.objects.create(username='drill'))",
        )
        w.start_web()
        w.start_worker()
        keeper = threading.Thread(target=w.keep_worker_alive, daemon=True)
        keeper.start()
        yield w
    finally:
        w.keeping.set()
        for name in list(w.processes):
            w.kill(name)
        w.stop_postgres()


@dataclass
class Ledger:
    """Every answer the clients got, and what each report finally became."""

    requests: int = 0
    refusals: list = field(default_factory=list)  # (time, status, retry-after)
    accepted: dict = field(default_factory=dict)  # report id -> counted
    lock: threading.Lock = field(default_factory=threading.Lock)


def send(port, path, body, headers):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("POST", path, json.dumps(body), headers)
        response = connection.getresponse()
        return response.status, response.getheader("Retry-After"), response.read()
    finally:
        connection.close()


def client(port, ledger: Ledger, stop: threading.Event, batch: bool):
    """Send until stopped; each report is retried with its key until accepted."""
    n = 0
    while not stop.is_set():
        n += 1
        key = uuid.uuid4().hex
        headers = {"Content-Type": "application/json", "Idempotency-Key": key}
        if batch:
            path = "/api/v1/reports/batch"
            headers["Authorization"] = "Token " + "drill" * 8
            body = {
                "reports": [
                    {
                        "service": "tiktok",
                        "symptom": "login",
                        "region": "DE",
                        "reporter": f"{key}-{i % 40}",
                    }
                    for i in range(BATCH)
                ]
            }
        else:
            path = "/api/v1/reports"
            headers["User-Agent"] = key
            body = {"service": "gmail", "symptom": "feed", "region": "US-CA"}
        while True:
            try:
                status, retry_after, raw = send(port, path, body, headers)
            except OSError:
                status, retry_after, raw = 0, None, b""
            with ledger.lock:
                ledger.requests += 1
            if 200 <= status < 300:
                answer = json.loads(raw)
                items = answer["results"] if batch else [answer]
                with ledger.lock:
                    for item in items:
                        ledger.accepted[item["id"]] = item["counted"]
                break
            with ledger.lock:
                ledger.refusals.append((time.monotonic(), status, retry_after))
            time.sleep(0.3)
        time.sleep(0.005 if not batch else 0.05)


def test_faults_lose_nothing_and_count_nothing_twice(tmp_path):
    with world(tmp_path) as w:
        wait_until(lambda: _ready(w.web_port), timeout=60)
        ledger, stop = Ledger(), threading.Event()
        clients = [
            threading.Thread(target=client, args=(w.web_port, ledger, stop, batch))
            for batch in (False, False, False, True)
        ]
        for thread in clients:
            thread.start()
        with ExitStack() as cleanup:
            cleanup.callback(lambda: [t.join(60) for t in clients])
            cleanup.callback(stop.set)
            time.sleep(4)
            w.kill("worker")  # mid-pass or between passes: both must hold
            w.start_worker()
            time.sleep(4)

            redis_down = time.monotonic()
            w.kill("redis")
            time.sleep(2)
            w.start_redis()
            redis_up = time.monotonic()
            time.sleep(4)

            w.stop_postgres()
            time.sleep(2)
            readiness = _readiness(w.web_port)
            w.start_postgres()
            pg_up = time.monotonic()
            time.sleep(4)
        log = redis.Redis(port=w.redis_port)
        try:
            wait_until(lambda: log.xlen("radar:intake") == 0, timeout=90, interval=0.2)
        except TimeoutError:
            print(f"\nThe worker's log ends with:\n{w.worker_log()}")
            raise
        drained = time.monotonic()

        stored = dict(w.sql("SELECT intake_id, counted FROM reports_report"))
        ((reports, reporters),) = w.sql(
            "SELECT sum(reports), sum(reporters) FROM outages_bucket WHERE region = ''"
        )
        duplicates = w.sql(
            "SELECT intake_id FROM reports_report GROUP BY 1 HAVING count(*) > 1"
        )

    counted = sum(stored.values())
    refused = [r for r in ledger.refusals]
    outside = [
        r
        for r in refused
        if not (redis_down - 0.5 <= r[0] <= redis_up + MARGIN_SECONDS)
    ]
    print(
        f"\nfault drill: requests={ledger.requests} accepted={len(ledger.accepted)} "
        f"stored={len(stored)} counted={counted} bucketed_reports={reports} "
        f"bucketed_reporters={reporters} refusals_503={len(refused)} "
        f"redis_down_s={redis_up - redis_down:.1f} "
        f"drained_after_pg_restart_s={drained - pg_up:.1f} "
        f"backlog_while_pg_down={readiness['intake_backlog']} "
        f"worker_restarted_after_dying={w.worker_deaths}"
    )
    assert len(ledger.accepted) > 1000
    # While PostgreSQL was away, readiness said so and showed the backlog.
    assert "database" in readiness["down"]
    assert readiness["intake_backlog"] > 0
    assert not duplicates
    # Every 2xx is stored once, with what it was told; nothing else is stored.
    assert stored == ledger.accepted
    # Counted once: the worldwide buckets hold every stored report.
    assert (reports, reporters) == (len(stored), counted)
    assert all(status == 503 and retry_after for _, status, retry_after in refused)
    assert outside == []
    assert refused, "Redis's outage should have refused some reports"


def _readiness(port) -> dict:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.request("GET", "/readyz")
    return json.loads(connection.getresponse().read())


def _ready(port) -> bool:
    try:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        connection.request("GET", "/healthz")
        return connection.getresponse().status == 200
    except OSError:
        return False

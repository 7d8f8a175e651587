"""How fast the radar takes in reports, and how far bucketing falls behind.

Starts a private PostgreSQL and Redis (under .run/bench/, on free ports), then
the radar as `make run` starts it (gunicorn, a Celery worker and beat), and a
bare Django endpoint that answers 204 (bench/bare.py) under gunicorn with the
same workers: the ceiling for any Django view on this machine. The same
endpoint again, appending each request to a stream on a Redis set up as the
radar's (its own) before it answers, is the durable ceiling: what one durable
append costs, with nothing else. wrk then drives, in alternating rounds, the
bare endpoint, the durable ceiling and POST /api/v1/reports with distinct
reporters (bench/report.lua). It prints for each round reports/s, p50/p99
latency and CPU per request of each, and the medians of target/ceiling,
`ingest_ratio`, of durable/ceiling and of target/durable.

While the radar is under load, a sampler reads the bucketing lag (the age of
the oldest report still in the intake log) every 0.5 s. After the load it
times how long the log takes to drain, and checks that every 201 became a
stored report and every stored report was counted once in the worldwide
buckets. Last, several clients POST 1000-report batches with an API token
(bench/batch.lua) for batch_reports_per_s, checked the same way.

    .venv/bin/python bench/ingest.py

The last line is `ingest_ratio=<x> batch_reports_per_s=<y> lag_p99_s=<z>`.
Logs and wrk's own output are kept in .run/bench/. Both servers run with
config/gunicorn.py, as `make run` does: WEB_CONCURRENCY and WEB_THREADS set
their processes and threads.
"""

import contextlib
import csv
import os
import re
import secrets
import shutil
import signal
import statistics
import string
import subprocess
import sys
import threading
import time
import tomllib
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import cputime  # bench/cputime.py
import psycopg
import redis

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from config import gunicorn as server_settings  # noqa: E402

RUN = ROOT / ".run" / "bench"
BIN = ROOT / ".venv" / "bin"

WORKERS = int(os.environ.get("WEB_CONCURRENCY") or server_settings.default_workers())
ROUNDS = 5  # each round draws how the connections spread over the processes
ROUND_SECONDS = 10  # each round, and the batch run; warm-ups take 3 s
# Enough connections to keep every gunicorn worker busy with a queue behind
# it; one wrk thread, because wrk shares the cores with the servers.
CONNECTIONS = 16
WRK_THREADS = 1
BATCH_CLIENTS = 4
BATCH_SIZE = 1000
LAG_INTERVAL_SECONDS = 0.5
DURABLE_STREAM = "bench:durable"  # bench/bare.py's, emptied after each of its runs
DRAIN_TIMEOUT_SECONDS = 120
REGIONS = ["DE", "US", "US-CA", "FR", "GB", "IN", "BR", "JP"]
# Far above what one load-generating address sends, so nothing is throttled.
UNLIMITED = "100000000"


@dataclass
class Load:
    """What one wrk run measured."""

    seconds: float
    answered: int
    sent: int
    p50_ms: float
    p99_ms: float
    socket_errors: int
    statuses: dict[int, int]
    accepted: int  # batch runs: the sum of the answers' "accepted"
    cpu: cputime.Usage | None = None

    def rate(self, status: int) -> float:
        return self.statuses.get(status, 0) / self.seconds

    @property
    def in_flight(self) -> int:
        """Requests wrk sent but stopped waiting for at its deadline."""
        return self.sent - self.answered

    def describe(self, name: str, ok: int) -> str:
        others = {s: n for s, n in self.statuses.items() if s != ok}
        text = (
            f"{name:8} {self.rate(ok):8.1f} req/s  p50 {self.p50_ms:6.1f} ms"
            f"  p99 {self.p99_ms:6.1f} ms"
        )
        if others or self.socket_errors:
            text += f"  other statuses {others}, socket errors {self.socket_errors}"
        if self.cpu:
            text += f"\n           {self.cpu.describe(self.answered)}"
        return text


@dataclass
class Stack:
    """Everything this script started, so it can all be stopped."""

    processes: dict[str, subprocess.Popen] = field(default_factory=dict)
    stops: list[list[str]] = field(default_factory=list)

    def spawn(self, name: str, command: list, env: dict) -> None:
        # A session of its own: Ctrl-C reaches only this script, which then
        # stops the servers in order instead of all dying at once.
        self.processes[name] = subprocess.Popen(
            [str(part) for part in command],
            cwd=ROOT,
            env=env,
            stdout=(RUN / f"{name}.log").open("w"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def pids(self) -> dict[str, int]:
        return {name: process.pid for name, process in self.processes.items()}

    def stop(self) -> None:
        for process in self.processes.values():
            if process.poll() is None:
                process.terminate()
        for process in self.processes.values():
            try:
                # A worker's warm shutdown lets a bucketing pass finish.
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        for command in reversed(self.stops):
            subprocess.run(command, cwd=ROOT, check=False)


# Setting up


def shell(*command: str, env: dict | None = None) -> str:
    done = subprocess.run(
        command, cwd=ROOT, env=env, check=True, capture_output=True, text=True
    )
    return done.stdout


def free_ports(count: int) -> list[int]:
    ports: set[int] = set()
    while len(ports) < count:
        ports.add(int(shell("scripts/free-port.sh")))
    return sorted(ports)


def ensure_wrk() -> None:
    if shutil.which("wrk"):
        return
    if os.geteuid() != 0:
        sys.exit("bench: wrk is missing; install the wrk package (apt-get install wrk)")
    print("Installing wrk from the OS packages...", flush=True)
    subprocess.run(["apt-get", "update", "-qq"], check=True, capture_output=True)
    subprocess.run(
        ["apt-get", "install", "-y", "-qq", "wrk"],
        check=True,
        capture_output=True,
        env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"},
    )


def catalog_args() -> list[str]:
    """Real service and symptom slugs and some regions, as wrk script arguments."""
    with (ROOT / "outages/catalog/services.csv").open() as f:
        services = [row["slug"] for row in csv.DictReader(f)]
    with (ROOT / "outages/catalog/symptoms.toml").open("rb") as f:
        symptoms = [s["slug"] for s in tomllib.load(f)["symptom"]]
    return [",".join(services), ",".join(symptoms), ",".join(REGIONS)]


def app_env(database_url: str, redis_url: str) -> dict:
    alphabet = string.ascii_letters + string.digits
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "DEBUG": "0",
        "SECRET_KEY": "".join(secrets.choice(alphabet) for _ in range(50)),
        "SECURE_SSL_REDIRECT": "0",
        "SECURE_COOKIES": "0",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "REPORTS_PER_MINUTE": UNLIMITED,
        "NETWORK_REPORTS_PER_MINUTE": UNLIMITED,
        # bench/report.lua gives each reporter an address of its own in
        # X-Forwarded-For, as a proxy in front of the radar would.
        "TRUSTED_PROXY_COUNT": "1",
    }


def start_postgres(stack: Stack, port: int) -> str:
    """PostgreSQL as scripts/run.sh starts it; its URL."""
    postgres = [".run/bench/postgres", str(port)]
    shell("scripts/postgres.sh", "start", *postgres, "radar")
    stack.stops.append(["scripts/postgres.sh", "stop", postgres[0]])
    return shell("scripts/postgres.sh", "url", *postgres, "radar").strip()


def start_redis(stack: Stack, name: str, port: int) -> str:
    """A Redis as scripts/run.sh starts it (AOF, synced as INTAKE_FSYNC says,
    the default `always`); its URL."""
    redis_ = [f".run/bench/{name}", str(port)]
    shell("scripts/redis.sh", "start", *redis_)
    stack.stops.append(["scripts/redis.sh", "stop", *redis_])
    return shell("scripts/redis.sh", "url", *redis_).strip()


def prepare_data(env: dict, db, redis_url: str) -> str:
    """Migrate, load the catalog, empty the log and counts; return an API token."""
    python = str(BIN / "python")
    shell(python, "manage.py", "migrate", "--noinput", "-v", "0", env=env)
    shell(python, "manage.py", "loadcatalog", env=env)
    # The cluster is kept between runs; reports of an earlier run would
    # spoil the counts this run checks.
    db.execute("TRUNCATE reports_report, outages_bucket, reports_intakecursor")
    redis.Redis.from_url(redis_url).flushdb()
    code = (
        "from django.contrib.auth import get_user_model\n"
        "from rest_framework.authtoken.models import Token\n"
        "user, _ = get_user_model().objects.get_or_create(username='bench')\n"
        "print(Token.objects.get_or_create(user=user)[0].key)\n"
    )
    return shell(python, "manage.py", "shell", "-c", code, env=env).split()[-1]


def gunicorn(app: str, port: int, *extra: str) -> list:
    """The gunicorn command of scripts/run.sh, for either app."""
    return [
        BIN / "gunicorn",
        *extra,
        app,
        "-c",
        "python:config.gunicorn",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(WORKERS),
    ]


def start_servers(
    stack: Stack, env: dict, ports: dict[str, int], durable_url: str
) -> None:
    """The radar as scripts/run.sh starts it, and the bare endpoint twice."""
    celery = [BIN / "celery", "-A", "config"]
    stack.spawn(
        "worker", [*celery, "worker", "--loglevel=INFO", "--concurrency=2"], env
    )
    schedule = RUN / "celerybeat-schedule"
    stack.spawn(
        "beat", [*celery, "beat", "--loglevel=INFO", "--schedule", schedule], env
    )
    stack.spawn("web", gunicorn("config.wsgi", ports["target"]), env)
    for name in ("bare", "durable"):
        app = gunicorn("bare:application", ports[name], "--pythonpath", "bench")
        bare_env = dict(os.environ)
        if name == "durable":
            bare_env["BARE_LOG_URL"] = durable_url
        stack.spawn(name, app, bare_env)
    for name, path in (("target", "healthz"), ("bare", ""), ("durable", "")):
        url = f"http://127.0.0.1:{ports[name]}/{path}"
        wait_until(lambda url=url: answers(url), f"the {name} app")
    wait_until(lambda: " ready." in (RUN / "worker.log").read_text(), "the worker")


def wait_until(ready, what: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not ready():
        if time.monotonic() > deadline:
            raise RuntimeError(f"{what} did not come up in {timeout:.0f} s")
        time.sleep(0.2)


def answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status < 500
    except urllib.error.HTTPError as exc:
        return exc.code < 500
    except OSError:
        return False


def store_pids(db, redis_urls: dict[str, str]) -> dict[str, int]:
    """PostgreSQL's postmaster and the Redis servers, which the scripts
    daemonised."""
    data_dir = db.execute("SHOW data_directory").fetchone()[0]
    postmaster = int((Path(data_dir) / "postmaster.pid").read_text().split()[0])
    servers = {
        name: redis.Redis.from_url(url).info("server")["process_id"]
        for name, url in redis_urls.items()
    }
    return {"postgres": postmaster, **servers}


# Measuring


def run_wrk(
    name: str,
    url: str,
    script: str,
    args: list[str],
    seconds: int = ROUND_SECONDS,
    connections: int = CONNECTIONS,
) -> Load:
    """One wrk run; its full output is kept in .run/bench/wrk-<name>.txt."""
    command = [
        "wrk",
        "--latency",
        "--timeout=10s",
        f"--threads={WRK_THREADS}",
        f"--connections={connections}",
        f"--duration={seconds}s",
        f"--script=bench/{script}",
        url,
        "--",
        name,
        *args,
    ]
    out = subprocess.run(
        command, cwd=ROOT, check=True, capture_output=True, text=True
    ).stdout
    (RUN / f"wrk-{name}.txt").write_text(out)
    return parse_wrk(out)


def parse_wrk(out: str) -> Load:
    """Read the BENCH lines that the Lua scripts' done() print."""
    figures, statuses = {}, {}
    for line in out.splitlines():
        if not line.startswith("BENCH "):
            continue
        pairs = {key: int(value) for key, value in re.findall(r"(\w+)=(\d+)", line)}
        if "status" in pairs:
            statuses[pairs["status"]] = pairs["count"]
        else:
            figures = pairs
    return Load(
        seconds=figures["duration_us"] / 1e6,
        answered=figures["answered"],
        sent=figures["sent"],
        p50_ms=figures["p50_us"] / 1000,
        p99_ms=figures["p99_us"] / 1000,
        socket_errors=sum(figures[k] for k in ("connect", "read", "write", "timeout")),
        statuses=statuses,
        accepted=figures.get("accepted", 0),
    )


def measured_wrk(pids: dict[str, int], *args, **kwargs) -> Load:
    """run_wrk, with the CPU each process tree used meanwhile."""
    before, started = cputime.snapshot(pids), time.monotonic()
    load = run_wrk(*args, **kwargs)
    after = cputime.snapshot(pids)
    load.cpu = cputime.usage(before, after, time.monotonic() - started)
    return load


STREAM = "radar:intake"


def lag_seconds(log: redis.Redis) -> float:
    """The age of the oldest entry in the intake log (its stream id is the
    Redis clock's milliseconds)."""
    first = log.xrange(STREAM, count=1)
    if not first:
        return 0.0
    milliseconds = int(first[0][0].split(b"-")[0])
    return max(time.time() - milliseconds / 1000, 0.0)


@contextlib.contextmanager
def sampling_lag(redis_url: str, samples: list[float]):
    """Append the bucketing lag to `samples` every 0.5 s while the block runs."""
    stop = threading.Event()

    def sample():
        log = redis.Redis.from_url(redis_url)
        next_at = time.monotonic()
        while not stop.is_set():
            samples.append(lag_seconds(log))
            next_at += LAG_INTERVAL_SECONDS
            stop.wait(max(next_at - time.monotonic(), 0))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    try:
        yield samples
    finally:
        stop.set()
        sampler.join()


def wait_drained(log: redis.Redis, since: float) -> float:
    """Seconds from `since` (a monotonic time) until the intake log is empty."""
    deadline = time.monotonic() + DRAIN_TIMEOUT_SECONDS
    while log.xlen(STREAM):
        if time.monotonic() > deadline:
            return float("nan")
        time.sleep(0.1)
    return time.monotonic() - since


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile; 0 for no values."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(round(q / 100 * len(ordered) + 0.5) - 1, 0)
    return ordered[min(rank, len(ordered) - 1)]


# Checking


def loudly(message: str) -> None:
    banner = "!" * 72
    print(f"{banner}\n!!! {message}\n{banner}", flush=True)
    print(f"bench: {message}", file=sys.stderr, flush=True)


def check_stored(what: str, acknowledged: int, stored: int, in_flight: int) -> None:
    """Every acknowledged report must be stored; nothing else may be.

    wrk stops at its deadline without waiting for the requests still in flight
    (at most one per connection); the server may have stored those too, so up
    to `in_flight` extra stored reports are expected, never fewer.
    """
    extra = stored - acknowledged
    print(f"  {what}: {acknowledged} acknowledged, {stored} stored", end="")
    if extra == 0:
        print(" - match")
    elif 0 < extra <= in_flight:
        print(
            f" - the {extra} more are from the requests (holding up to "
            f"{in_flight} reports) that wrk abandoned in flight at its deadlines"
        )
    else:
        print()
        loudly(
            f"MISMATCH {what}: {acknowledged} acknowledged, {stored} stored "
            f"(requests in flight when wrk stopped held up to {in_flight})"
        )


def check_counted(db) -> None:
    stored, counted = db.execute(
        "SELECT (SELECT count(*) FROM reports_report),"
        " (SELECT coalesce(sum(reports), 0) FROM outages_bucket WHERE region = '')"
    ).fetchone()
    print(f"  worldwide buckets: {counted} reports counted, {stored} stored", end="")
    if counted == stored:
        print(" - match")
    else:
        print()
        loudly(f"MISMATCH buckets: {counted} reports counted, {stored} stored")


def count_reports(db, source: str) -> int:
    sql = "SELECT count(*) FROM reports_report WHERE source = %s"
    return db.execute(sql, [source]).fetchone()[0]


# The phases


def print_machine(pids: dict[str, int]) -> None:
    model = "unknown CPU"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    before = cputime.snapshot(pids)
    time.sleep(2)
    idle = cputime.usage(before, cputime.snapshot(pids), 2)
    print(
        f"Machine: {os.cpu_count()} cores ({model}); gunicorn workers: {WORKERS}; "
        f"wrk: {WRK_THREADS} thread, {CONNECTIONS} connections"
    )
    print(f"Before the load, other processes used {idle.others / 2:.0%} of a core")


@dataclass
class Single:
    """The single-report phase: rounds of ceiling, durable ceiling and target."""

    ceilings: list[Load] = field(default_factory=list)
    durables: list[Load] = field(default_factory=list)
    targets: list[Load] = field(default_factory=list)
    lags: list[float] = field(default_factory=list)
    acknowledged: int = 0
    in_flight: int = 0
    ended: float = 0.0  # monotonic time the last target round ended

    def add_target(self, load: Load) -> None:
        # Every 201 counts for the check, warm-up included.
        self.acknowledged += load.statuses.get(201, 0)
        self.in_flight += load.in_flight

    @property
    def ratios(self) -> list[float]:
        pairs = zip(self.ceilings, self.targets, strict=True)
        return [target.rate(201) / bare.rate(204) for bare, target in pairs]

    @property
    def durable_ratios(self) -> list[float]:
        pairs = zip(self.ceilings, self.durables, strict=True)
        return [durable.rate(204) / bare.rate(204) for bare, durable in pairs]

    @property
    def shares_of_durable(self) -> list[float]:
        """The target's rate as a share of the durable ceiling's: how much
        the intake's own work (limits, de-duplication, the reporter's
        identity, validation) costs on top of the append."""
        pairs = zip(self.durables, self.targets, strict=True)
        return [target.rate(201) / durable.rate(204) for durable, target in pairs]


def run_rounds(urls, args, pids, redis_url, durable_url) -> Single:
    """Warm the servers up, then alternate rounds of the three."""
    single = Single()
    durable_log = redis.Redis.from_url(durable_url)
    print("Warm-up:")
    for name, ok in (("bare", 204), ("durable", 204), ("target", 201)):
        warm = run_wrk(f"warmup-{name}", urls[name], "report.lua", args, 3)
        print("  " + warm.describe(name, ok))
    durable_log.delete(DURABLE_STREAM)
    # The last warm-up is the target's; its reports are stored too.
    single.add_target(warm)
    for number in range(1, ROUNDS + 1):
        bare = measured_wrk(pids, f"bare-{number}", urls["bare"], "report.lua", args)
        durable = measured_wrk(
            pids, f"durable-{number}", urls["durable"], "report.lua", args
        )
        durable_log.delete(DURABLE_STREAM)
        lags: list[float] = []
        with sampling_lag(redis_url, lags):
            target = measured_wrk(
                pids, f"target-{number}", urls["target"], "report.lua", args
            )
        single.ended = time.monotonic()
        single.ceilings.append(bare)
        single.durables.append(durable)
        single.targets.append(target)
        single.lags.extend(lags)
        single.add_target(target)
        failed = target.answered - target.statuses.get(201, 0)
        if failed:
            loudly(
                f"{failed} reports were refused ({target.statuses}):"
                " see .run/bench/web.log"
            )
        print(f"Round {number}:")
        print("  " + bare.describe("ceiling", 204))
        print("  " + durable.describe("durable", 204))
        print("  " + target.describe("target", 201))
        print(
            f"  ratio {single.ratios[-1]:.3f} (the durable ceiling's "
            f"{single.durable_ratios[-1]:.3f}); bucketing lag p50 "
            f"{percentile(lags, 50):.2f} s, max {max(lags, default=0):.2f} s"
        )
    return single


def print_medians(single: Single, drain: float) -> None:
    print(f"Median over {ROUNDS} rounds:")
    for name, loads, ok in (
        ("ceiling", single.ceilings, 204),
        ("durable", single.durables, 204),
        ("target", single.targets, 201),
    ):
        rate = statistics.median(load.rate(ok) for load in loads)
        p50 = statistics.median(load.p50_ms for load in loads)
        p99 = statistics.median(load.p99_ms for load in loads)
        print(f"  {name:8} {rate:8.1f} req/s  p50 {p50:6.1f} ms  p99 {p99:6.1f} ms")
    print(f"  ingest_ratio {statistics.median(single.ratios):.3f}")
    # No intake that answers only once the report is on disk can beat this.
    print(
        f"  durable ratio {statistics.median(single.durable_ratios):.3f};"
        f" target / durable {statistics.median(single.shares_of_durable):.3f}"
    )
    # On a machine where CPU is the only limit, the ratio is the inverse
    # ratio of CPU per request; it moves much less with the neighbours' load.
    ceiling_ms, durable_ms, target_ms = (
        statistics.median(x.cpu.per_request_ms(x.answered) for x in loads)
        for loads in (single.ceilings, single.durables, single.targets)
    )
    print(
        f"  cpu per request (servers, stores, wrk): ceiling {ceiling_ms:.2f} ms,"
        f" durable {durable_ms:.2f} ms, target {target_ms:.2f} ms; if CPU is the"
        f" limit, ratio {ceiling_ms / target_ms:.3f} (the durable ceiling's"
        f" {ceiling_ms / durable_ms:.3f})"
    )
    loads = single.ceilings + single.durables + single.targets
    others = sum(x.cpu.others for x in loads) / sum(x.cpu.seconds for x in loads)
    if others > 0.2:
        print(
            f"  (other processes used {others:.0%} of a core during the rounds:"
            " these figures are lower and noisier than on an idle machine)"
        )
    lags = single.lags
    print(
        f"Bucketing lag under load ({len(lags)} samples, every "
        f"{LAG_INTERVAL_SECONDS} s): p50 {percentile(lags, 50):.2f} s, "
        f"p99 {percentile(lags, 99):.2f} s, max {max(lags, default=0):.2f} s; "
        f"intake log empty {drain:.1f} s after the load stopped"
    )


def measure_single(urls, args, pids, db, redis_url, durable_url):
    """The rounds of the three servers; return ingest_ratio and lag p99."""
    single = run_rounds(urls, args, pids, redis_url, durable_url)
    print_medians(single, wait_drained(redis.Redis.from_url(redis_url), single.ended))
    print("Consistency:")
    stored = count_reports(db, "api")
    check_stored("single reports", single.acknowledged, stored, single.in_flight)
    check_counted(db)
    return statistics.median(single.ratios), percentile(single.lags, 99)


def measure_batch(url, token, args, pids, db, redis_url) -> float:
    """Several clients posting full batches; return accepted reports per second."""
    batch_args = [token, *args, str(BATCH_SIZE)]
    clients = {"connections": BATCH_CLIENTS}
    warm = run_wrk("warmup-batch", url, "batch.lua", batch_args, 3, **clients)
    lags: list[float] = []
    with sampling_lag(redis_url, lags):
        load = measured_wrk(pids, "batch", url, "batch.lua", batch_args, **clients)
    ended = time.monotonic()
    rate = load.accepted / load.seconds
    print(f"Batch ({BATCH_CLIENTS} clients, {BATCH_SIZE} reports per request):")
    print(
        f"  {load.rate(200):.1f} batches/s, {rate:.0f} reports/s accepted;"
        f" p50 {load.p50_ms:.0f} ms, p99 {load.p99_ms:.0f} ms"
    )
    print(f"  {load.cpu.describe(load.accepted).replace('request', 'report')}")
    if set(load.statuses) - {200} or load.socket_errors:
        print(f"  statuses {load.statuses}, socket errors {load.socket_errors}")
    drain = wait_drained(redis.Redis.from_url(redis_url), ended)
    print(
        f"  bucketing lag p50 {percentile(lags, 50):.2f} s,"
        f" p99 {percentile(lags, 99):.2f} s; intake log empty {drain:.1f} s after"
    )
    check_stored(
        "batch reports, warm-up included",
        warm.accepted + load.accepted,
        count_reports(db, "batch"),
        (warm.in_flight + load.in_flight) * BATCH_SIZE,
    )
    check_counted(db)
    return rate


def main() -> None:
    os.chdir(ROOT)
    RUN.mkdir(parents=True, exist_ok=True)
    ensure_wrk()
    args = catalog_args()
    pg_port, redis_port, durable_port, *web_ports = free_ports(6)
    ports = dict(zip(("target", "bare", "durable"), web_ports, strict=True))
    stack = Stack()
    # SIGTERM stops the servers as Ctrl-C does.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    try:
        print("Starting PostgreSQL, Redis, the radar and the bare endpoints...")
        database_url = start_postgres(stack, pg_port)
        redis_url = start_redis(stack, "redis", redis_port)
        # The durable ceiling's own, so its appends leave the radar's alone.
        durable_url = start_redis(stack, "redis-durable", durable_port)
        env = app_env(database_url, redis_url)
        with psycopg.connect(database_url, autocommit=True) as db:
            token = prepare_data(env, db, redis_url)
            start_servers(stack, env, ports, durable_url)
            redis_urls = {"redis": redis_url, "redis-durable": durable_url}
            pids = {**stack.pids(), **store_pids(db, redis_urls)}
            print_machine(pids)
            urls = {
                name: f"http://127.0.0.1:{port}/api/v1/reports"
                for name, port in ports.items()
            }
            ratio, lag_p99 = measure_single(
                urls, args, pids, db, redis_url, durable_url
            )
            batch_url = f"{urls['target']}/batch"
            batch_rate = measure_batch(batch_url, token, args, pids, db, redis_url)
    finally:
        print("Stopping...", flush=True)
        stack.stop()
    print(
        f"ingest_ratio={ratio:.3f} batch_reports_per_s={batch_rate:.1f} "
        f"lag_p99_s={lag_p99:.2f}"
    )


if __name__ == "__main__":
    main()

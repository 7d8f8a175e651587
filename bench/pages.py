"""Server time of the pages and read API answers, with warm caches.

Starts a private PostgreSQL and Redis under .run/bench-pages, fills them as
`make run` does on an empty database (catalog, 8 days of demo history, past
incidents, a learned detector), runs one detection cycle so a status is
published, then times each URL in this process through Django's full stack
(middleware, templates, database, Redis), as gunicorn would run it, minus the
socket.

The ceiling is `/healthz` through the same stack in the same rounds: the
least any page can cost here. Each figure is given in milliseconds and as the
ratio ceiling / page (1.0 would be as cheap as /healthz).

    .venv/bin/python bench/pages.py

The last line is `pages_p50_ms_max=<x> slowest=<path> budget_ratio=<y>`: the
slowest page's median, which page it is, and that median over the 100 ms
budget (under 1 is within it).
"""

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ROUNDS = 5
REQUESTS = 8
BUDGET_MS = 100.0


def shell(*command: str) -> None:
    subprocess.run(command, cwd=ROOT, check=True, stdout=subprocess.DEVNULL)


def url(script: str, *args: str) -> str:
    """The store's URL as scripts/run.sh gets it (its Unix socket)."""
    out = subprocess.run(
        [script, "url", *args], cwd=ROOT, check=True, capture_output=True, text=True
    ).stdout
    return out.strip()


def free_port() -> int:
    out = subprocess.run(
        ["scripts/free-port.sh"], cwd=ROOT, check=True, capture_output=True, text=True
    ).stdout
    return int(out)


def start_stores() -> list[list[str]]:
    pg_port, redis_port = free_port(), free_port()
    postgres = [".run/bench-pages/pg", str(pg_port), "radar"]
    redis_ = [".run/bench-pages/redis", str(redis_port)]
    shell("scripts/postgres.sh", "start", *postgres)
    shell("scripts/redis.sh", "start", *redis_)
    os.environ["DATABASE_URL"] = url("scripts/postgres.sh", *postgres)
    os.environ["REDIS_URL"] = url("scripts/redis.sh", *redis_)
    return [
        ["scripts/postgres.sh", "stop", ".run/bench-pages/pg"],
        ["scripts/redis.sh", "stop", ".run/bench-pages/redis", str(redis_port)],
    ]


def setup_django() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("DEBUG", "0")
    os.environ.setdefault("SECRET_KEY", "bench-pages-only-key-" + "0123456789" * 4)
    os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
    os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1,testserver")
    import django

    django.setup()


def fill() -> None:
    from django.core.management import call_command

    from config import redis
    from outages import demo
    from outages.pipeline.cycle import detect_new_minutes

    call_command("migrate", verbosity=0)
    call_command("loadcatalog", verbosity=0)
    call_command("collectstatic", "--noinput", verbosity=0)
    redis.client().flushdb()
    if demo.is_empty():
        started = time.monotonic()
        demo.backfill()
        print(f"demo history: {time.monotonic() - started:.1f} s")
    detect_new_minutes()


def urls() -> list[str]:
    from outages.models import Incident

    incident = Incident.objects.order_by("-opened_at").first()
    return [
        "/",
        "/?q=tik",
        "/s/tiktok/",
        "/s/discord/",
        "/map/",
        *([incident.get_absolute_url()] if incident else []),
        "/api/v1/services",
        "/api/v1/services/discord/status",
        "/api/v1/services/discord/series?resolution=1m",
        "/api/v1/services/discord/regions",
        "/api/v1/incidents",
        "/api/v1/map",
    ]


def timed(client, url: str) -> float:
    started = time.perf_counter()
    response = client.get(url)
    elapsed = (time.perf_counter() - started) * 1000
    if response.status_code != 200:
        raise SystemExit(f"{url} answered {response.status_code}")
    return elapsed


def measure(paths: list[str]) -> dict[str, list[float]]:
    from django.test import Client

    client = Client()
    times: dict[str, list[float]] = {p: [] for p in ["/healthz", *paths]}
    for path in times:  # warm every cache first
        timed(client, path)
    for _ in range(ROUNDS):
        for path in times:
            times[path] += [timed(client, path) for _ in range(REQUESTS)]
    return times


def main() -> None:
    stops = start_stores()
    try:
        setup_django()
        fill()
        times = measure(urls())
    finally:
        for command in stops:
            subprocess.run(command, cwd=ROOT, stdout=subprocess.DEVNULL)
    ceiling = statistics.median(times.pop("/healthz"))
    print(f"ceiling /healthz p50 {ceiling:.2f} ms")
    print(f"{'path':52} {'p50 ms':>8} {'p90 ms':>8} {'ratio':>7}")
    medians = {}
    for path, values in times.items():
        p50 = statistics.median(values)
        p90 = statistics.quantiles(values, n=10)[-1]
        medians[path] = p50
        print(f"{path:52} {p50:8.2f} {p90:8.2f} {ceiling / p50:7.3f}")
    pages = {p: m for p, m in medians.items() if not p.startswith("/api/")}
    slowest = max(pages, key=pages.get)
    print(
        f"pages_p50_ms_max={pages[slowest]:.1f} slowest={slowest} "
        f"budget_ratio={pages[slowest] / BUDGET_MS:.3f}"
    )


if __name__ == "__main__":
    main()

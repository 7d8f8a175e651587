"""Where a report's CPU goes under load: the write path taken apart.

bench/ingest.py measures the report endpoint against a bare one; this script
says where the difference goes. Under the radar's settings and middleware it
serves probe views (bench/parts_urls.py) that each add one part of a report's
work, and drives each with the same load as ingest.py, in alternating rounds,
beside the bare endpoint (bench/bare.py) and the real POST /api/v1/reports.
It prints requests/s and CPU per request of gunicorn, PostgreSQL, Redis and
wrk for each; the difference between two rows is what one part costs.

    .venv/bin/python bench/parts.py

It prints figures and asserts nothing. It needs what bench/ingest.py needs and
starts the same private stores (in .run/bench/), without a Celery worker: the
reports it stores are not bucketed.
"""

import os
import signal
import statistics
import sys
from dataclasses import dataclass

import psycopg
from ingest import (
    ROOT,
    RUN,
    Load,
    Stack,
    answers,
    app_env,
    catalog_args,
    ensure_wrk,
    free_ports,
    gunicorn,
    measured_wrk,
    prepare_data,
    start_stores,
    store_pids,
    wait_until,
)

ROUNDS = 3
SECONDS = 6


@dataclass(frozen=True)
class Part:
    name: str
    path: str
    ok: int  # the status that counts as served
    what: str


PARTS = [
    Part("bare", "api/v1/reports", 204, "bench/bare.py: no middleware, no apps"),
    Part("nothing", "parts/nothing", 204, "204 through the radar's middleware"),
    Part("checks", "parts/checks", 204, "+ JSON, reporter hash, catalog checks"),
    Part("log", "parts/log", 204, "+ the intake log script (limits, XADD)"),
    Part("report", "api/v1/reports", 201, "the real endpoint"),
]
SERVERS = ("web", "bare", "postgres", "redis")


def start_servers(stack: Stack, env: dict, web_port: int, bare_port: int) -> None:
    probes = {**env, "DJANGO_SETTINGS_MODULE": "parts_settings"}
    stack.spawn(
        "web", gunicorn("config.wsgi", web_port, "--pythonpath", "bench"), probes
    )
    bare = gunicorn("bare:application", bare_port, "--pythonpath", "bench")
    stack.spawn("bare", bare, dict(os.environ))
    wait_until(lambda: answers(f"http://127.0.0.1:{web_port}/healthz"), "the radar")
    wait_until(lambda: answers(f"http://127.0.0.1:{bare_port}/"), "the bare app")


def per_request(load: Load, ok: int) -> dict[str, float]:
    served = load.statuses.get(ok, 0)
    if served < load.answered:
        raise RuntimeError(f"unexpected answers: {load.statuses}")
    cpu = {name: 1000 * load.cpu.trees.get(name, 0.0) / served for name in SERVERS}
    cpu["wrk"] = 1000 * load.cpu.load / served
    cpu["total"] = sum(cpu.values())
    cpu["req/s"] = load.rate(ok)
    cpu["others"] = load.cpu.others / load.seconds
    return cpu


def main() -> None:
    os.chdir(ROOT)
    RUN.mkdir(parents=True, exist_ok=True)
    ensure_wrk()
    args = catalog_args()
    pg_port, redis_port, web_port, bare_port = free_ports(4)
    stack = Stack()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    try:
        database_url, redis_url = start_stores(stack, pg_port, redis_port)
        env = app_env(database_url, redis_url)
        with psycopg.connect(database_url, autocommit=True) as db:
            prepare_data(env, db, redis_url)
            start_servers(stack, env, web_port, bare_port)
            pids = {**stack.pids(), **store_pids(db, redis_url)}
        ports = {part.name: web_port for part in PARTS} | {"bare": bare_port}
        urls = {p.name: f"http://127.0.0.1:{ports[p.name]}/{p.path}" for p in PARTS}
        for part in PARTS:  # warm-up
            measured_wrk(
                pids, f"parts-warm-{part.name}", urls[part.name], "report.lua", args, 2
            )
        rows: dict[str, list[dict[str, float]]] = {part.name: [] for part in PARTS}
        for number in range(1, ROUNDS + 1):
            for part in PARTS:
                load = measured_wrk(
                    pids,
                    f"parts-{part.name}-{number}",
                    urls[part.name],
                    "report.lua",
                    args,
                    SECONDS,
                )
                rows[part.name].append(per_request(load, part.ok))
            print(f"Round {number} of {ROUNDS} done", flush=True)
    finally:
        stack.stop()
    print_table(rows)


def print_table(rows: dict[str, list[dict[str, float]]]) -> None:
    columns = ["req/s", "web", "postgres", "redis", "wrk", "total"]
    print(
        f"\nMedians of {ROUNDS} rounds of {SECONDS} s; CPU in ms per request "
        "(web: gunicorn serving the probes; bare: gunicorn serving bench/bare.py)"
    )
    print(f"{'part':9} " + " ".join(f"{c:>8}" for c in columns) + "  others  what")
    for part in PARTS:
        median = {
            key: statistics.median(row[key] for row in rows[part.name])
            for key in rows[part.name][0]
        }
        if part.name == "bare":
            median["web"] = median["bare"]
        figures = " ".join(
            f"{median[c]:8.0f}" if c == "req/s" else f"{median[c]:8.2f}"
            for c in columns
        )
        print(f"{part.name:9} {figures}  {median['others']:5.0%}  {part.what}")
    bare = statistics.median(row["total"] for row in rows["bare"])
    report = statistics.median(row["total"] for row in rows["report"])
    print(f"bare_ms={bare:.2f} report_ms={report:.2f} cpu_ratio={bare / report:.3f}")


if __name__ == "__main__":
    main()

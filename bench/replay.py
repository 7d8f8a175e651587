"""A record outage replayed: a sudden 30-fold surge for one big service
across 50 countries, on top of steady traffic for the rest of the catalog,
fed through the batch API while the radar runs as `make run` runs it.

Starts a private PostgreSQL and Redis and the radar (gunicorn, a Celery
worker and beat; bench/ingest.py's stack, under .run/bench/). The detector
first learns two weeks of the steady traffic (as `learn_history` teaches a
radar that has been running), for every service worldwide and in its usual
country, and for the big service in each of its 50 countries. Then clients
send that traffic through POST /api/v1/reports/batch, in batches of up to
1000 reports from 8 integrators' tokens (so a surge comes from 8 networks,
as a crowd behind several status tools would), every report a distinct
reporter. After WARM_MINUTES the big service surges 30-fold in all its
countries and stays there for the rest of the run (RUN_MINUTES in all).

Meanwhile a sampler reads the bucketing lag every 0.5 s and a poller reads
/api/v1/incidents and /api/v1/map every 5 s. It prints the reports accepted
a second (sent a second is the ceiling: what the clients asked of the
radar), the bucketing lag p99, the minutes from the surge to the incident
and to each country on the map, the memory of Redis and PostgreSQL, and the
disk the reports and buckets take per million reports.

    .venv/bin/python bench/replay.py [--scale X]

`--scale` multiplies every rate (default 6: about 2,860 reports a second
before the surge and 6,600 during it, 5,600 on average; the highest scale
tried here, with the clients on the same two cores, and all of it kept up
with). The last line is
`replay_reports_per_s=<a> replay_lag_p99_s=<b> replay_detect_minutes=<c>`.
"""

import json
import os
import signal
import statistics
import sys
import threading
import time
import urllib.request
from datetime import datetime
from pathlib import Path

import ingest  # bench/ingest.py
import numpy as np
import psycopg
import redis

ROOT = Path(__file__).resolve().parent.parent
BIG = "aws"
# Fifty countries the big service is used in, with the busiest first.
COUNTRIES = (
    "US",
    "GB",
    "DE",
    "FR",
    "IN",
    "BR",
    "JP",
    "CA",
    "AU",
    "IT",
    "ES",
    "MX",
    "NL",
    "SE",
    "PL",
    "TR",
    "ID",
    "KR",
    "AR",
    "ZA",
    "NG",
    "EG",
    "SA",
    "AE",
    "IL",
    "CH",
    "AT",
    "BE",
    "DK",
    "NO",
    "FI",
    "IE",
    "PT",
    "GR",
    "CZ",
    "RO",
    "HU",
    "UA",
    "PH",
    "VN",
    "TH",
    "MY",
    "SG",
    "NZ",
    "CL",
    "CO",
    "PE",
    "PK",
    "BD",
    "KE",
)
# Reports a minute per country of the big service, and per other service
# (worldwide, all from its usual country).
BIG_PER_COUNTRY = 25.0
PER_SERVICE = 120.0
SURGE = 30.0
SCALE = 6.0
WARM_MINUTES = 3
RUN_MINUTES = 12
TOKENS = 8
BATCH = 1000
POLL_SECONDS = 5.0


def setup_code(rates: dict) -> str:
    """Django shell code: tokens for TOKENS integrators, and two weeks of the
    steady traffic learned; prints the tokens as JSON."""
    return f"""
import json
import numpy as np
from datetime import timedelta
from django.contrib.auth import get_user_model
from django.utils import timezone
from rest_framework.authtoken.models import Token
from outages.models import Service
from outages.pipeline import partitions
from outages.pipeline.history import learn_history
from reports.models import Integrator

# The cluster is kept between runs: today's partitions may be missing.
partitions.maintain()
rates = json.loads({json.dumps(json.dumps(rates))})
tokens = []
for i in range({TOKENS}):
    user, _ = get_user_model().objects.get_or_create(username=f"replay-{{i}}")
    Integrator.objects.update_or_create(
        user=user, defaults={{"reporters_per_minute": 10**9}}
    )
    tokens.append(Token.objects.get_or_create(user=user)[0].key)
ids = dict(Service.objects.values_list("slug", "id"))
keys, means = [], []
for slug, places in rates.items():
    world = sum(places.values())
    keys.append((ids[slug], ""))
    means.append(world)
    for code, rate in places.items():
        keys.append((ids[slug], code))
        means.append(rate)
rng = np.random.default_rng(17)
minutes = 14 * 24 * 60
counts = rng.poisson(np.array(means)[:, None], (len(keys), minutes)).astype(float)
now = timezone.now().replace(second=0, microsecond=0)
learn_history(keys, counts, last=now - timedelta(minutes=1))
print(json.dumps(tokens))
"""


def steady_rates(services: list[str], scale: float) -> dict:
    """Reports a minute per service and country."""
    usual = ["US", "GB", "DE", "FR", "IN", "BR", "JP", "CA"]
    rates = {BIG: {c: BIG_PER_COUNTRY * scale for c in COUNTRIES}}
    for i, slug in enumerate(s for s in services if s != BIG):
        rates[slug] = {usual[i % len(usual)]: PER_SERVICE * scale}
    return rates


class Senders:
    """Clients sending each second's reports through the batch API."""

    def __init__(self, url: str, tokens: list[str], rates: dict):
        self.url, self.tokens, self.rates = url, tokens, rates
        self.surging = False
        self.sent = self.accepted = self.failed = 0
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.serial = 0
        self.rng = np.random.default_rng(5)

    def second(self) -> list[dict]:
        """One second of reports, every one a reporter of its own."""
        entries = []
        for slug, places in self.rates.items():
            factor = SURGE if self.surging and slug == BIG else 1.0
            for code, per_minute in places.items():
                for _ in range(self.rng.poisson(per_minute * factor / 60)):
                    self.serial += 1
                    entries.append(
                        {
                            "service": slug,
                            "symptom": "app-wont-open",
                            "region": code,
                            "reporter": f"r{self.serial}",
                        }
                    )
        self.rng.shuffle(entries)
        return entries

    def post(self, token: str, entries: list[dict]) -> None:
        request = urllib.request.Request(
            self.url,
            data=json.dumps({"reports": entries}).encode(),
            headers={
                "Content-Type": "application/json",
                "Authorization": f"Token {token}",
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                accepted = json.loads(response.read())["accepted"]
        except OSError:
            accepted = 0
        with self.lock:
            self.sent += len(entries)
            self.accepted += accepted
            self.failed += len(entries) - accepted

    def run(self) -> None:
        """Send a second of reports each second, split over the tokens,
        in threads; a second that could not be sent in time is late, not
        dropped."""
        next_at = time.monotonic()
        while not self.stop.is_set():
            entries = self.second()
            # Every token sends its share each second, in batches of BATCH.
            count = max(TOKENS, -(-len(entries) // BATCH))
            chunks = [entries[i::count] for i in range(count)]
            posts = [
                threading.Thread(
                    target=self.post, args=(self.tokens[i % TOKENS], chunk)
                )
                for i, chunk in enumerate(chunks)
            ]
            for post in posts:
                post.start()
            for post in posts:
                post.join()
            next_at += 1.0
            self.stop.wait(max(next_at - time.monotonic(), 0))


def get(url: str) -> dict:
    with urllib.request.urlopen(url, timeout=10) as response:
        return json.loads(response.read())


def poll(base: str, surge_at: float, found: dict, stop: threading.Event) -> None:
    """When the incident and each country of the big service first show."""
    surge_wall = time.time() - (time.monotonic() - surge_at)
    while not stop.wait(POLL_SECONDS):
        try:
            incidents = get(f"{base}/api/v1/incidents?service={BIG}")["results"]
            places = get(f"{base}/api/v1/map")["regions"]
        except OSError:
            continue
        now = time.monotonic() - surge_at
        # Only an incident of the surge, not one the steady traffic opened.
        opened = [
            i
            for i in incidents
            if datetime.fromisoformat(i["opened_at"]).timestamp() >= surge_wall
        ]
        if opened and "incident" not in found:
            found["incident"] = now
        for region in places:
            for service in region["services"]:
                if service["slug"] == BIG and service["level"] == "outage":
                    found.setdefault(region["code"], now)


def memory(pids: dict[str, int]) -> dict[str, float]:
    """Resident MB of PostgreSQL (all its processes) and Redis."""

    def rss(pid: int) -> int:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
        return 0

    children = Path(f"/proc/{pids['postgres']}/task/{pids['postgres']}/children")
    postgres = [pids["postgres"], *map(int, children.read_text().split())]
    return {
        "postgres": sum(rss(p) for p in postgres) / 1e6,
        "redis": rss(pids["redis"]) / 1e6,
    }


def replay(scale: float = SCALE) -> dict[str, float]:
    os.chdir(ROOT)
    ingest.RUN.mkdir(parents=True, exist_ok=True)
    pg_port, redis_port, web_port, bare_port = ingest.free_ports(4)
    stack = ingest.Stack()
    try:
        print("Starting PostgreSQL, Redis and the radar...", flush=True)
        database_url, redis_url = ingest.start_stores(stack, pg_port, redis_port)
        env = ingest.app_env(database_url, redis_url)
        python = str(ingest.BIN / "python")
        with psycopg.connect(database_url, autocommit=True) as db:
            ingest.shell(
                python, "manage.py", "migrate", "--noinput", "-v", "0", env=env
            )
            ingest.shell(python, "manage.py", "loadcatalog", env=env)
            # The cluster is kept between runs: start from an empty radar.
            db.execute(
                "TRUNCATE reports_report, outages_bucket, outages_hourbucket,"
                " outages_incident, outages_incidentupdate, outages_detectorstate,"
                " reports_intakecursor, outages_rollup CASCADE"
            )
            redis.Redis.from_url(redis_url).flushdb()
            services = [s for (s,) in db.execute("SELECT slug FROM outages_service")]
            rates = steady_rates(services, scale)
            print("Learning two weeks of the steady traffic...", flush=True)
            out = ingest.shell(
                python, "manage.py", "shell", "-c", setup_code(rates), env=env
            )
            tokens = json.loads(out.strip().splitlines()[-1])
            ingest.start_servers(stack, env, web_port, bare_port)
            pids = {**stack.pids(), **ingest.store_pids(db, redis_url)}

            base = f"http://127.0.0.1:{web_port}"
            senders = Senders(f"{base}/api/v1/reports/batch", tokens, rates)
            found: dict[str, float] = {}
            lag: list[float] = []
            stop_polling = threading.Event()
            peak = {"postgres": 0.0, "redis": 0.0}
            with ingest.sampling_lag(redis_url, lag):
                sending = threading.Thread(target=senders.run, daemon=True)
                started = time.monotonic()
                sending.start()
                time.sleep(WARM_MINUTES * 60)
                senders.surging = True
                surge_at = time.monotonic()
                print(f"Surge of {BIG} at {time.strftime('%H:%M:%S')}", flush=True)
                poller = threading.Thread(
                    target=poll, args=(base, surge_at, found, stop_polling)
                )
                poller.start()
                while time.monotonic() - started < RUN_MINUTES * 60:
                    time.sleep(10)
                    now = memory(pids)
                    peak = {k: max(peak[k], now[k]) for k in peak}
                senders.stop.set()
                sending.join()
                seconds = time.monotonic() - started
                drained = ingest.wait_drained(
                    redis.Redis.from_url(redis_url), time.monotonic()
                )
            stop_polling.set()
            poller.join()
            stored = db.execute("SELECT count(*) FROM reports_report").fetchone()[0]
            disk = db.execute(
                "SELECT sum(pg_total_relation_size(c.oid)) FROM pg_class c"
                " JOIN pg_inherits i ON i.inhrelid = c.oid"
                " JOIN pg_class p ON p.oid = i.inhparent"
                " WHERE p.relname IN ('reports_report', 'outages_bucket')"
            ).fetchone()[0]
            hours = db.execute(
                "SELECT pg_total_relation_size('outages_hourbucket')"
            ).fetchone()[0]
            redis_memory = redis.Redis.from_url(redis_url).info("memory")
    finally:
        print("Stopping...", flush=True)
        stack.stop()

    countries = {k: v for k, v in found.items() if k in COUNTRIES}
    on_map = sorted(countries.values())
    figures = {
        "sent_per_s": senders.sent / seconds,
        "accepted_per_s": senders.accepted / seconds,
        "lag_p99_s": ingest.percentile(lag, 99),
        "detect_minutes": found.get("incident", float("nan")) / 60,
        "countries_on_map": len(on_map),
        "map_median_minutes": statistics.median(on_map) / 60
        if on_map
        else float("nan"),
        "map_last_minutes": on_map[-1] / 60 if on_map else float("nan"),
    }
    print(
        f"{seconds / 60:.1f} minutes, {senders.sent:,} reports sent, "
        f"{senders.accepted:,} accepted, {senders.failed:,} not; {stored:,} stored"
    )
    print(
        f"reports/s: sent {figures['sent_per_s']:.0f}, accepted "
        f"{figures['accepted_per_s']:.0f} "
        f"(ratio {figures['accepted_per_s'] / figures['sent_per_s']:.3f})"
    )
    print(
        f"bucketing lag p99 {figures['lag_p99_s']:.2f} s; drained "
        f"{drained:.1f} s after the last report"
    )
    print(
        f"surge to incident: {figures['detect_minutes']:.1f} min; countries on the "
        f"map at outage: {len(on_map)} of {len(COUNTRIES)}, median "
        f"{figures['map_median_minutes']:.1f} min, last "
        f"{figures['map_last_minutes']:.1f} min"
    )
    print(
        f"memory peak: PostgreSQL {peak['postgres']:.0f} MB, Redis "
        f"{peak['redis']:.0f} MB (Redis used {redis_memory['used_memory'] / 1e6:.0f}"
        f" MB at the end)"
    )
    per_million = int(disk) / max(stored, 1)
    print(
        f"disk: reports and minute buckets {per_million:.0f} MB per million "
        f"reports; hourly roll-ups {hours / 1e6:.1f} MB"
    )
    return figures


def main() -> None:
    scale = (
        float(sys.argv[sys.argv.index("--scale") + 1])
        if "--scale" in sys.argv
        else SCALE
    )
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    figures = replay(scale)
    print(
        f"replay_reports_per_s={figures['accepted_per_s']:.1f}"
        f" replay_lag_p99_s={figures['lag_p99_s']:.2f}"
        f" replay_detect_minutes={figures['detect_minutes']:.1f}"
    )


if __name__ == "__main__":
    main()

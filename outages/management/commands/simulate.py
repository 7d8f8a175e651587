"""`manage.py simulate`: labelled series for backtest, or a crowd sent to a radar."""

import csv
import http.client
import ipaddress
import json
import socket
import time
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

import numpy as np
from django.core.management.base import BaseCommand, CommandError

from outages.detection.simulation import START_EPOCH_MINUTE, simulate_series


class Command(BaseCommand):
    help = (
        "Simulate report counts. --out DIR writes labelled series for backtest "
        "(series-NNN.csv and labels.csv); --api URL sends a simulated crowd's "
        "reports to a running radar through its API."
    )

    def add_arguments(self, parser):
        parser.add_argument("--out", type=Path, help="directory for labelled files")
        parser.add_argument("--series", type=int, default=20)
        parser.add_argument("--weeks", type=float, default=4.0)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument(
            "--api", help="base URL of a radar, e.g. http://127.0.0.1:8000"
        )
        parser.add_argument("--service", default="tiktok")
        parser.add_argument("--rate", type=float, default=30.0, help="reports a minute")
        parser.add_argument("--minutes", type=float, default=5.0)

    def handle(self, *args, **options):
        if bool(options["out"]) == bool(options["api"]):
            raise CommandError("give either --out DIR or --api URL")
        if options["out"]:
            self.write_files(
                options["out"], options["series"], options["weeks"], options["seed"]
            )
        else:
            self.send(
                options["api"], options["service"], options["rate"], options["minutes"]
            )

    def write_files(self, out: Path, count: int, weeks: float, seed: int):
        out.mkdir(parents=True, exist_ok=True)
        rng = np.random.default_rng(seed)
        with (out / "labels.csv").open("w", newline="") as f:
            labels = csv.writer(f)
            labels.writerow(["file", "onset", "end", "magnitude", "hard_negatives"])
            for n in range(count):
                name = f"series-{n:03d}.csv"
                series = simulate_series(rng, weeks=weeks)
                self._write_series(out / name, series.values)
                for o in series.outages:
                    labels.writerow(
                        [
                            name,
                            _stamp(o.onset),
                            _stamp(o.end),
                            f"{o.magnitude:.1f}",
                            "|".join(series.negatives),
                        ]
                    )
                if not series.outages:
                    labels.writerow([name, "", "", "", "|".join(series.negatives)])
        self.stdout.write(f"Wrote {count} series and labels.csv to {out}")

    def _write_series(self, path: Path, values: np.ndarray):
        with path.open("w", newline="") as f:
            writer = csv.writer(f)
            writer.writerow(["timestamp", "value"])
            for i, value in enumerate(values):
                if np.isfinite(value):  # a missing minute is a missing row
                    writer.writerow([_stamp(i), int(value)])

    def send(self, api: str, service: str, rate: float, minutes: float):
        """Distinct simulated people reporting at `rate` a minute, for a while.

        Sent to a radar on this machine, each person reports from an address
        of 127.0.0.0/8 of their own, so the radar counts them as a crowd of
        many networks; sent elsewhere they share this machine's address, of
        which the radar counts a few (REPORTERS_PER_NETWORK).
        """
        rng = np.random.default_rng()
        target = urlsplit(api)
        path = target.path.rstrip("/") + "/api/v1/reports"
        loopback = _is_loopback(target.hostname or "")
        connect = (
            http.client.HTTPSConnection
            if target.scheme == "https"
            else http.client.HTTPConnection
        )
        symptoms = ["app-wont-open", "login", "slow-loading", "error-messages", "feed"]
        regions = ["US", "US-CA", "DE", "GB", "FR", "IN", "BR", "JP"]
        deadline = time.monotonic() + minutes * 60
        sent = accepted = counted = 0
        while time.monotonic() < deadline:
            time.sleep(rng.exponential(60.0 / rate))
            body = {
                "service": service,
                "symptom": str(rng.choice(symptoms)),
                "region": str(rng.choice(regions)),
            }
            source = None
            if loopback:
                a, b, c = rng.integers(1, 255, size=3)
                source = (f"127.{a}.{b}.{c}", 0)
            connection = connect(
                target.hostname, target.port, timeout=10, source_address=source
            )
            sent += 1
            try:
                connection.request(
                    "POST",
                    path,
                    json.dumps(body),
                    {
                        "Content-Type": "application/json",
                        # Each simulated person has a user agent of their own.
                        "User-Agent": f"simulated-person-{rng.integers(1 << 40)}",
                    },
                )
                response = connection.getresponse()
                answer = response.read()
            except OSError as exc:
                raise CommandError(f"cannot reach {api}: {exc}") from None
            finally:
                connection.close()
            if response.status == 201:
                accepted += 1
                counted += json.loads(answer)["counted"]
            else:
                self.stderr.write(f"{response.status}: {answer.decode()[:200]}")
        self.stdout.write(
            f"Sent {sent} reports, {accepted} accepted, {counted} counted."
        )


def _is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(socket.gethostbyname(host)).is_loopback
    except (OSError, ValueError):
        return False


def _stamp(minute: int) -> str:
    moment = datetime.fromtimestamp((START_EPOCH_MINUTE + minute) * 60, UTC)
    return moment.strftime("%Y-%m-%d %H:%M:%S")

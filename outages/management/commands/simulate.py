"""`manage.py simulate`: labelled series for backtest, or a crowd sent to a radar."""

import csv
import json
import time
import urllib.error
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

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
        """Distinct simulated people reporting at `rate` a minute, for a while."""
        rng = np.random.default_rng()
        url = api.rstrip("/") + "/api/v1/reports"
        symptoms = ["app-wont-open", "login", "slow-loading", "error-messages", "feed"]
        regions = ["US", "US-CA", "DE", "GB", "FR", "IN", "BR", "JP"]
        deadline = time.monotonic() + minutes * 60
        sent = accepted = 0
        while time.monotonic() < deadline:
            time.sleep(rng.exponential(60.0 / rate))
            body = {
                "service": service,
                "symptom": str(rng.choice(symptoms)),
                "region": str(rng.choice(regions)),
            }
            request = urllib.request.Request(
                url,
                data=json.dumps(body).encode(),
                headers={
                    "Content-Type": "application/json",
                    # Each simulated person has a user agent of their own.
                    "User-Agent": f"simulated-person-{rng.integers(1 << 40)}",
                },
            )
            sent += 1
            try:
                with urllib.request.urlopen(request, timeout=10) as response:
                    accepted += response.status == 201
            except urllib.error.HTTPError as exc:
                self.stderr.write(f"{exc.code}: {exc.read().decode()[:200]}")
            except urllib.error.URLError as exc:
                raise CommandError(f"cannot reach {url}: {exc.reason}") from None
        self.stdout.write(f"Sent {sent} reports, {accepted} accepted.")


def _stamp(minute: int) -> str:
    moment = datetime.fromtimestamp((START_EPOCH_MINUTE + minute) * 60, UTC)
    return moment.strftime("%Y-%m-%d %H:%M:%S")

"""`manage.py backtest`: the live detector replayed over CSV files."""

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from outages.detection.backtest import backtest_file


class Command(BaseCommand):
    help = (
        "Replay the live detector over CSV files of timestamp,value rows and write "
        "timestamp,value,expected,score,alert,incident. IN and OUT are files, or "
        "directories (every *.csv in IN gets a same-named result in OUT)."
    )

    def add_arguments(self, parser):
        parser.add_argument("source", type=Path, metavar="IN")
        parser.add_argument("target", type=Path, metavar="OUT")
        parser.add_argument(
            "--plot",
            type=Path,
            metavar="OUT.png",
            help="draw the series, its expected band and the incidents "
            "(a directory when IN is one)",
        )

    def handle(self, source: Path, target: Path, plot: Path | None, **options):
        if source.is_dir():
            files = sorted(source.glob("*.csv"))
            if not files:
                raise CommandError(f"{source} holds no .csv files")
            target.mkdir(parents=True, exist_ok=True)
            if plot:
                plot.mkdir(parents=True, exist_ok=True)
            pairs = [
                (f, target / f.name, plot / f"{f.stem}.png" if plot else None)
                for f in files
            ]
        elif source.is_file():
            if target.is_dir():
                target = target / source.name
            pairs = [(source, target, plot)]
        else:
            raise CommandError(f"{source} is neither a file nor a directory")
        for src, dst, png in pairs:
            self._one(src, dst, png)

    def _one(self, source: Path, target: Path, png: Path | None):
        with source.open("rb") as f:
            rows = sum(1 for _ in f) - 1
        with tqdm(
            total=rows,
            desc=source.name,
            unit="bucket",
            file=sys.stderr,
            disable=rows < 5000,
            leave=False,
        ) as bar:
            try:
                warnings, found = backtest_file(
                    source, target, plot_to=png, progress=lambda _: bar.update(1)
                )
            except (OSError, ValueError, UnicodeDecodeError) as exc:
                raise CommandError(f"{source}: {exc}") from None
        for warning in warnings:
            self.stderr.write(f"warning: {source.name}: {warning}")
        self.stdout.write(f"{source.name}: {len(found)} incidents -> {target}")
        for incident in found:
            until = incident.end or "still open"
            self.stdout.write(
                f"  {incident.start} to {until}: peak {incident.peak_value:g} "
                f"against {incident.peak_expected:.3g} expected"
            )

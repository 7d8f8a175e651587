"""Running the detector over a CSV file of `timestamp,value` rows.

Real files are messy, so reading never fails on a row: duplicate, missing or
out-of-order timestamps, gaps, non-integer or unreadable values are each
warned about once and handled, and the output has exactly one row per input
row, in the input's order. The detector itself is the live one
(`outages.detection.replay`): causal, bucket by bucket.
"""

import csv
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from outages.detection.clock import hours_of_week
from outages.detection.lifecycle import Rules
from outages.detection.replay import Replay, replay

OUTPUT_FIELDS = ["timestamp", "value", "expected", "score", "alert", "incident"]


@dataclass
class Rows:
    """The input as read: raw text, and what could be parsed of it."""

    raw: list[dict]
    times: np.ndarray  # epoch seconds, NaN where unreadable
    values: np.ndarray  # NaN where unreadable
    warnings: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Grid:
    """Regular buckets covering the input; each row points at one."""

    start: float  # epoch seconds of bucket 0
    width: float  # seconds
    values: np.ndarray  # per bucket; NaN where no row
    row_bucket: np.ndarray  # per row; -1 for a row that has no time


@dataclass(frozen=True)
class DetectedSpan:
    """An incident the detector declared in a backtest (not the model)."""

    start: str
    end: str | None
    peak_value: float
    peak_expected: float


def parse_time(text: str) -> float:
    """Epoch seconds of an ISO 8601 or `YYYY-MM-DD HH:MM:SS` time; UTC if naive."""
    text = text.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.timestamp()


def read_rows(path: Path) -> Rows:
    with path.open(newline="", encoding="utf-8-sig") as f:
        reader = csv.DictReader(f)
        fields = [name.strip().lower() for name in reader.fieldnames or []]
        if "timestamp" not in fields or "value" not in fields:
            raise ValueError(f"{path}: the header must name 'timestamp' and 'value'")
        reader.fieldnames = fields
        raw = list(reader)
    times = np.full(len(raw), np.nan)
    values = np.full(len(raw), np.nan)
    bad_times = bad_values = 0
    for i, row in enumerate(raw):
        try:
            times[i] = parse_time(row["timestamp"] or "")
        except (ValueError, TypeError):
            bad_times += 1
        try:
            value = float(row["value"])
            values[i] = value if math.isfinite(value) and value >= 0 else np.nan
            bad_values += not math.isfinite(values[i])
        except (ValueError, TypeError):
            bad_values += 1
    rows = Rows(raw=raw, times=times, values=values)
    if bad_times:
        rows.warnings.append(f"{bad_times} rows with an unreadable timestamp: left out")
    if bad_values:
        rows.warnings.append(
            f"{bad_values} rows with a missing, negative or unreadable value: "
            "treated as gaps"
        )
    readable = values[np.isfinite(values)]
    if readable.size and not np.all(readable == np.round(readable)):
        rows.warnings.append(
            "values are not all whole numbers: judged as counts anyway"
        )
    return rows


def to_grid(rows: Rows) -> Grid:
    """Put the rows on regular buckets of the most common spacing."""
    timed = np.isfinite(rows.times)
    if not timed.any():
        raise ValueError("no row has a readable timestamp")
    times = rows.times[timed]
    distinct = np.unique(times)
    steps = np.diff(distinct)
    width = float(np.median(steps)) if steps.size else 60.0
    if steps.size and (np.diff(rows.times[timed]) < 0).any():
        rows.warnings.append("timestamps are out of order: judged in time order")
    if distinct.size < times.size:
        rows.warnings.append(
            f"{times.size - distinct.size} rows repeat a timestamp: "
            "their bucket is judged on their mean"
        )
    start = float(distinct[0])
    bucket = np.full(rows.times.size, -1)
    bucket[timed] = np.rint((rows.times[timed] - start) / width).astype(int)
    length = int(bucket.max()) + 1
    if steps.size and (steps % width).any():
        rows.warnings.append(
            "timestamps are irregular: each goes to its nearest bucket"
        )
    if length > distinct.size:
        rows.warnings.append(f"{length - distinct.size} buckets have no row: gaps")

    values = np.full(length, np.nan)
    usable = (bucket >= 0) & np.isfinite(rows.values)
    sums = np.bincount(bucket[usable], rows.values[usable], minlength=length)
    counts = np.bincount(bucket[usable], minlength=length)
    np.divide(sums, counts, out=values, where=counts > 0)
    return Grid(start=start, width=width, values=values, row_bucket=bucket)


def detect(grid: Grid, rules: Rules | None = None, progress=None) -> Replay:
    minutes = (grid.start + np.arange(grid.values.size) * grid.width) // 60
    missing = np.isnan(grid.values)
    return replay(
        np.where(missing, 0.0, grid.values),
        hours_of_week(minutes.astype(np.int64)),
        bucket_minutes=grid.width / 60,
        rules=rules,
        missing=missing,
        progress=progress,
    )


def incidents(grid: Grid, result: Replay) -> list[DetectedSpan]:
    found = []
    open_ = result.incident[0]
    starts = np.flatnonzero(result.alert[0])
    for start in starts:
        end = start
        while end + 1 < open_.size and open_[end + 1]:
            end += 1
        span = slice(start, end + 1)
        values = np.nan_to_num(grid.values[span])
        peak = start + int(values.argmax())
        closed = end + 1 < open_.size
        found.append(
            DetectedSpan(
                start=_iso(grid.start + start * grid.width),
                end=_iso(grid.start + (end + 1) * grid.width) if closed else None,
                peak_value=float(values.max()),
                peak_expected=float(result.expected[0, peak]),
            )
        )
    return found


def _iso(seconds: float) -> str:
    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%d %H:%M:%S")


def write_rows(path: Path, rows: Rows, grid: Grid, result: Replay | None) -> None:
    """One output row per input row, in the input's order."""
    if result is not None:
        expected, score = result.expected[0], result.score[0]
        alert, incident = result.alert[0], result.incident[0]
    alerted = set()
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(OUTPUT_FIELDS)
        for row, b in zip(rows.raw, grid.row_bucket, strict=True):
            timestamp, value = row.get("timestamp", ""), row.get("value", "")
            if b < 0:
                writer.writerow([timestamp, value, "", 0, 0, 0])
                continue
            # An incident is declared once, on the first row of its bucket.
            first = alert[b] and b not in alerted
            alerted.add(b)
            writer.writerow(
                [
                    timestamp,
                    value,
                    f"{expected[b]:.6g}",
                    f"{score[b]:.6g}",
                    int(first),
                    int(incident[b]),
                ]
            )


def plot(path: Path, grid: Grid, result: Replay, title: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt

    from outages.detection.significance import upper_band

    times = np.array(
        grid.start + np.arange(grid.values.size) * grid.width, dtype="datetime64[s]"
    )
    expected = result.expected[0]
    fig, ax = plt.subplots(figsize=(14, 4.5), layout="constrained")
    ax.fill_between(
        times,
        0,
        upper_band(expected, result.dispersion[0]),
        color="#9ecae1",
        alpha=0.5,
        label="expected band (99.9%)",
        step="mid",
    )
    ax.plot(times, grid.values, lw=0.7, color="#08306b", label="value")
    ax.plot(times, expected, lw=1, color="#2171b5", label="expected")
    ymax = np.nanmax(grid.values) if np.isfinite(grid.values).any() else 1
    ax.fill_between(
        times,
        0,
        ymax,
        where=result.incident[0] > 0,
        color="#e6550d",
        alpha=0.25,
        label="incident",
        step="mid",
    )
    ax.set_title(title)
    ax.legend(loc="upper left")
    fig.savefig(path, dpi=110)
    plt.close(fig)


def backtest_file(
    source: Path,
    target: Path,
    rules: Rules | None = None,
    plot_to: Path | None = None,
    progress: Callable[[int], None] | None = None,
) -> tuple[list[str], list[DetectedSpan]]:
    """Backtest one file; returns its warnings and the incidents found."""
    rows = read_rows(source)
    if not np.isfinite(rows.times).any():
        rows.warnings.append("no row has a readable timestamp: nothing to judge")
        grid = Grid(0.0, 60.0, np.zeros(0), np.full(len(rows.raw), -1))
        write_rows(target, rows, grid, None)
        return rows.warnings, []
    grid = to_grid(rows)
    result = detect(grid, rules, progress)
    write_rows(target, rows, grid, result)
    if plot_to is not None:
        plot(plot_to, grid, result, source.name)
    return rows.warnings, incidents(grid, result)

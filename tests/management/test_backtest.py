import csv
from datetime import UTC, datetime, timedelta
from io import StringIO

import numpy as np
import pytest
from django.core.management import CommandError, call_command

START = datetime(2026, 3, 2, tzinfo=UTC)  # a Monday
FIVE_MINUTES = timedelta(minutes=5)


def series(days=10, rate=20.0, surge_at=None, seed=1):
    """Reports per 5 minutes with a daily cycle; a 10x surge if asked."""
    rng = np.random.default_rng(seed)
    n = days * 288
    hours = np.arange(n) / 12
    mean = rate * (1 + 0.5 * np.sin(2 * np.pi * hours / 24))
    values = rng.poisson(rng.gamma(10, mean / 10)).astype(float)
    if surge_at is not None:
        values[surge_at : surge_at + 8] += rng.poisson(
            9 * mean[surge_at : surge_at + 8]
        )
    return [(START + i * FIVE_MINUTES, v) for i, v in enumerate(values)]


def write(path, rows, time_format="%Y-%m-%d %H:%M:%S"):
    with path.open("w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["timestamp", "value"])
        for moment, value in rows:
            stamp = (
                moment.strftime(time_format) if isinstance(moment, datetime) else moment
            )
            writer.writerow([stamp, value if isinstance(value, str) else f"{value:g}"])


def read(path):
    with path.open(newline="") as f:
        return list(csv.DictReader(f))


def backtest(*args):
    out, err = StringIO(), StringIO()
    call_command("backtest", *map(str, args), stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_a_surge_is_declared_once_and_marked_while_open(tmp_path):
    onset = 8 * 288 + 100
    write(tmp_path / "in.csv", series(surge_at=onset), "%Y-%m-%dT%H:%M:%SZ")
    stdout, _ = backtest(tmp_path / "in.csv", tmp_path / "out.csv")
    rows = read(tmp_path / "out.csv")
    assert list(rows[0]) == [
        "timestamp",
        "value",
        "expected",
        "score",
        "alert",
        "incident",
    ]
    alerts = [i for i, row in enumerate(rows) if row["alert"] == "1"]
    # A surge must persist (8 minutes: two 5-minute buckets) to open.
    assert len(alerts) == 1 and onset <= alerts[0] <= onset + 2
    assert rows[onset + 5]["incident"] == "1"
    assert rows[onset + 60]["incident"] == "0"
    scores = [float(row["score"]) for row in rows]
    assert all(0 <= score < 1 for score in scores)
    # The score peaks where the incident is declared, then decays.
    assert scores.index(max(scores)) == alerts[0]
    assert scores[alerts[0]] > 0.5 > scores[alerts[0] + 1] > scores[onset - 50]
    assert "1 incidents" in stdout and "2026-03-10" in stdout


def test_a_rows_output_depends_only_on_rows_before_it(tmp_path):
    rows = series(days=9, surge_at=8 * 288 + 10)
    write(tmp_path / "full.csv", rows)
    write(tmp_path / "head.csv", rows[: 8 * 288 + 20])
    backtest(tmp_path / "full.csv", tmp_path / "full-out.csv")
    backtest(tmp_path / "head.csv", tmp_path / "head-out.csv")
    head = read(tmp_path / "head-out.csv")
    assert read(tmp_path / "full-out.csv")[: len(head)] == head


def test_a_messy_file_gets_one_row_per_input_row_in_its_order(tmp_path):
    rows = series(days=3)
    rows[100], rows[101] = rows[101], rows[100]  # out of order
    rows.insert(200, rows[199])  # a duplicate
    del rows[300:340]  # a gap
    rows[400] = (rows[400][0], 2.5)  # not a whole number
    rows[500] = ("yesterday-ish", 3)  # an unreadable time
    rows[600] = (rows[600][0], "n/a")  # an unreadable value
    rows[700] = (rows[700][0], -4)  # a negative count
    write(tmp_path / "in.csv", rows)
    _, stderr = backtest(tmp_path / "in.csv", tmp_path / "out.csv")
    source, result = read(tmp_path / "in.csv"), read(tmp_path / "out.csv")
    assert [(r["timestamp"], r["value"]) for r in result] == [
        (r["timestamp"], r["value"]) for r in source
    ]
    for warning in (
        "out of order",
        "repeat a timestamp",
        "gaps",
        "not all whole numbers",
        "unreadable timestamp",
        "negative or unreadable value",
    ):
        assert warning in stderr
    assert result[500]["expected"] == "" and result[500]["alert"] == "0"


def test_every_file_of_a_directory_gets_a_result_of_the_same_name(tmp_path):
    (tmp_path / "in").mkdir()
    write(tmp_path / "in" / "a.csv", series(days=2, seed=2))
    write(tmp_path / "in" / "b.csv", series(days=2, seed=3))
    backtest(tmp_path / "in", tmp_path / "out")
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["a.csv", "b.csv"]
    assert len(read(tmp_path / "out" / "b.csv")) == 2 * 288


def test_a_plot_is_drawn_on_request(tmp_path):
    write(tmp_path / "in.csv", series(days=2))
    backtest(tmp_path / "in.csv", tmp_path / "out.csv", "--plot", tmp_path / "p.png")
    assert (tmp_path / "p.png").read_bytes()[:4] == b"\x89PNG"


def test_a_file_without_the_columns_is_refused_with_a_message(tmp_path):
    (tmp_path / "in.csv").write_text("time,count\n2026-01-01,3\n")
    with pytest.raises(CommandError, match="must name 'timestamp' and 'value'"):
        backtest(tmp_path / "in.csv", tmp_path / "out.csv")


def test_a_file_with_only_a_header_gives_only_a_header(tmp_path):
    (tmp_path / "in.csv").write_text("timestamp,value\n")
    backtest(tmp_path / "in.csv", tmp_path / "out.csv")
    assert (tmp_path / "out.csv").read_text().strip() == (
        "timestamp,value,expected,score,alert,incident"
    )

"""CPU time by process tree, read from /proc (Linux only).

bench/ingest.py uses it to say where a request's CPU goes (gunicorn, the
worker, PostgreSQL, Redis, wrk) and how much of the machine other processes
took during a round: on a small machine a test run next door halves the
figures, and the reader should know.
"""

import os
from dataclasses import dataclass

TICK = os.sysconf("SC_CLK_TCK")


def _processes() -> dict[int, tuple[int, float]]:
    """pid -> (parent pid, CPU seconds used so far) for every live process."""
    found = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat") as f:
                stat = f.read()
        except OSError:
            continue  # it ended while we looked
        # The command name may hold spaces and parentheses: split after it.
        fields = stat.rsplit(")", 1)[1].split()
        found[int(name)] = (int(fields[1]), (int(fields[11]) + int(fields[12])) / TICK)
    return found


def _tree(root: int, processes: dict[int, tuple[int, float]]) -> dict[int, float]:
    """CPU seconds so far of `root` and each of its descendants, by pid."""
    children: dict[int, list[int]] = {}
    for pid, (parent, _) in processes.items():
        children.setdefault(parent, []).append(pid)
    found, todo = {}, [root]
    while todo:
        pid = todo.pop()
        if pid in processes:
            found[pid] = processes[pid][1]
            todo.extend(children.get(pid, []))
    return found


def _machine_busy_seconds() -> float:
    with open("/proc/stat") as f:
        ticks = [int(value) for value in f.readline().split()[1:]]
    idle, iowait = ticks[3], ticks[4]
    return (sum(ticks[:8]) - idle - iowait) / TICK


def _own_seconds() -> float:
    """This process and its reaped children (wrk, once it has exited)."""
    times = os.times()
    return times.user + times.system + times.children_user + times.children_system


@dataclass(frozen=True)
class Snapshot:
    trees: dict[str, dict[int, float]]
    own: float
    busy: float


def snapshot(roots: dict[str, int]) -> Snapshot:
    """CPU seconds so far of each named process tree, of us and of the machine."""
    processes = _processes()
    return Snapshot(
        trees={name: _tree(pid, processes) for name, pid in roots.items()},
        own=_own_seconds(),
        busy=_machine_busy_seconds(),
    )


@dataclass(frozen=True)
class Usage:
    trees: dict[str, float]  # CPU seconds per named tree
    load: float  # this script and wrk
    others: float  # everything else on the machine
    seconds: float  # wall time

    def per_request_ms(self, requests: int) -> float:
        """CPU of all the named trees and the load generator, per request."""
        return 1000 * (sum(self.trees.values()) + self.load) / max(requests, 1)

    def describe(self, requests: int) -> str:
        """CPU per request of each tree, and what other processes took."""
        per_request = {
            name: 1000 * used / max(requests, 1) for name, used in self.trees.items()
        }
        per_request["wrk+bench"] = 1000 * self.load / max(requests, 1)
        parts = [f"{name} {ms:.2f}" for name, ms in per_request.items() if ms >= 0.005]
        return (
            "cpu ms/request: "
            + ", ".join(parts)
            + f"; other processes used {self.others / self.seconds:.0%} of a core"
        )


def _used(before: dict[int, float], after: dict[int, float]) -> float:
    # By pid, over the processes alive at the end: a PostgreSQL backend that
    # ended meanwhile must not take its whole past with it. (Its last moments
    # count as other processes' instead.)
    return sum(used - before.get(pid, 0.0) for pid, used in after.items())


def usage(before: Snapshot, after: Snapshot, seconds: float) -> Usage:
    trees = {
        name: _used(before.trees[name], after.trees[name]) for name in before.trees
    }
    load = after.own - before.own
    others = after.busy - before.busy - sum(trees.values()) - load
    return Usage(trees=trees, load=load, others=max(others, 0.0), seconds=seconds)

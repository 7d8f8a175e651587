"""gunicorn's settings, the same wherever the radar runs: scripts/run.sh,
the image (docker/Dockerfile), the benchmarks and the fault drill.

`gunicorn config.wsgi -c python:config.gunicorn --bind ...`; WEB_CONCURRENCY
sets the processes (default: two a core, at most eight), WEB_THREADS the
threads in each (default 4).
"""

import gc
import os


def default_workers() -> int:
    """Two processes a core this process may run on, at most eight (each
    thread keeps a PostgreSQL connection open). A container limited by a CPU
    quota sees the host's cores: set WEB_CONCURRENCY there."""
    if hasattr(os, "sched_getaffinity"):
        cores = len(os.sched_getaffinity(0))
    else:  # macOS
        cores = os.cpu_count() or 1
    return min(2 * cores, 8)


workers = int(os.environ.get("WEB_CONCURRENCY") or default_workers())
# Threads: a report waits for Redis to sync the intake log to disk, and a page
# for PostgreSQL; while one request waits, its process serves another, and a
# client's connection is kept alive between its requests. Measured against
# one request per process: 1.4x the reports a second on the same two cores,
# and a batch of a thousand reports in each of four processes at once, twice
# as many (docs/ingest.md).
worker_class = "gthread"
threads = int(os.environ.get("WEB_THREADS") or 4)
# The master loads the app, SciPy included, before it opens the port; the
# workers fork from it warm (config/wsgi.py).
preload_app = True
accesslog = "-"
errorlog = "-"


def pre_fork(server, worker):
    # What the master loaded lives as long as the process: kept out of every
    # garbage collection in the workers (a batch of reports allocates enough
    # to set off several, and each would walk all of Django and SciPy), and
    # its pages stay shared with the master.
    gc.freeze()

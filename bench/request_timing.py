"""BENCH_DEBUG only (bench/settings_bench.py): where each request of the benchmark's server spent
its time, one JSON line per request in the worker's var directory: wall time, the worker's own CPU
(thread_time), the time waiting on the database and its query count, the garbage collections and
what is left (waiting for a core, or for anything else); and from the kernel's schedstat (run time,
time runnable but waiting for a core) both of the worker's thread and of its PostgreSQL backend
(same machine), so that a slow request says whether its database time was work or a queue for a
core. Never part of the product."""

import cProfile
import gc
import json
import os
import resource
import sys
import threading
import time
from pathlib import Path

from django.db import connection

from bench.dashboard_profile import QueryTimer

_state = threading.local()
# BENCH_PROFILE_OVER_MS=N: every request whose path has BENCH_PROFILE_PATH (default: the dashboards)
# runs under cProfile (about twice the CPU), and the profile of each that took more than N ms of the
# worker's CPU is written beside the timing file.
PROFILE_OVER_MS = float(os.environ.get("BENCH_PROFILE_OVER_MS", "0"))
PROFILE_PATH = os.environ.get("BENCH_PROFILE_PATH", "/dashboard/")


def _gc_callback(phase: str, info: dict) -> None:
    if phase == "start":
        _state.gc_started = time.perf_counter()
    elif getattr(_state, "gc_started", None) is not None:
        _state.gc_ms = getattr(_state, "gc_ms", 0.0) + 1000 * (
            time.perf_counter() - _state.gc_started
        )
        _state.gc_gen = max(getattr(_state, "gc_gen", -1), info.get("generation", -1))


def _schedstat(path: str) -> tuple[float, float] | None:
    """(ms on a core, ms runnable waiting for one) so far of a thread or process."""
    try:
        run, wait, _slices = Path(path).read_text().split()
    except (OSError, ValueError):
        return None
    return int(run) / 1e6, int(wait) / 1e6


def _backend_pid() -> int | None:
    """The PostgreSQL backend of this worker's open connection (None on SQLite or unconnected)."""
    raw = connection.connection
    info = getattr(raw, "info", None)
    return getattr(info, "backend_pid", None) if info is not None else None


def _delta(before, after) -> dict | None:
    if before is None or after is None:
        return None
    return {"run": round(after[0] - before[0], 1), "wait": round(after[1] - before[1], 1)}


class RequestTimingMiddleware:
    def __init__(self, get_response) -> None:
        self.get_response = get_response
        self.path = Path(os.environ.get("VCASSURE_VAR_DIR", "."), f"timing-{os.getpid()}.jsonl")
        if _gc_callback not in gc.callbacks:
            gc.callbacks.append(_gc_callback)

    def __call__(self, request):
        _state.gc_ms, _state.gc_gen = 0.0, -1
        db = QueryTimer(slow_ms=20)
        pid = _backend_pid()
        pg0 = _schedstat(f"/proc/{pid}/schedstat") if pid else None
        me0 = _schedstat("/proc/thread-self/schedstat")
        usage0, modules0 = resource.getrusage(resource.RUSAGE_THREAD), len(sys.modules)
        wall0, cpu0 = time.perf_counter(), time.thread_time()
        profiler = cProfile.Profile() if PROFILE_OVER_MS and PROFILE_PATH in request.path else None
        with connection.execute_wrapper(db):
            if profiler is not None:
                profiler.enable()
            response = self.get_response(request)
            if profiler is not None:
                profiler.disable()
        me1 = _schedstat("/proc/thread-self/schedstat")
        usage1 = resource.getrusage(resource.RUSAGE_THREAD)
        pg1 = _schedstat(f"/proc/{pid}/schedstat") if pid and pid == _backend_pid() else None
        wall = 1000 * (time.perf_counter() - wall0)
        cpu = 1000 * (time.thread_time() - cpu0)
        record = {
            "t": round(time.time(), 3),
            "path": request.path,
            "wall": round(wall, 1),
            "cpu": round(cpu, 1),
            "db": round(1000 * db.seconds, 1),
            "q": db.queries,
            "gc": round(_state.gc_ms, 1),
            "gc_gen": _state.gc_gen,
            "slow": db.slow,
            "sched_worker": _delta(me0, me1),  # the worker thread: on a core / waiting for one
            "sched_pg": _delta(pg0, pg1),  # its PostgreSQL backend, the same
            # Taken off its core by the scheduler, page faults, modules imported on the way (a
            # first use of some code in this worker).
            "preempted": usage1.ru_nivcsw - usage0.ru_nivcsw,
            "faults": usage1.ru_minflt - usage0.ru_minflt + usage1.ru_majflt - usage0.ru_majflt,
            "imported": len(sys.modules) - modules0,
        }
        if profiler is not None and cpu > PROFILE_OVER_MS:  # keep the profile of a heavy one
            record["profile"] = str(self.path.with_suffix(f".{record['t']}.pstats"))
            profiler.dump_stats(record["profile"])
        with self.path.open("a") as out:
            out.write(json.dumps(record) + "\n")
        return response

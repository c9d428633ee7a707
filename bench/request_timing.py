"""BENCH_DEBUG only (bench/settings_bench.py): where each request of the benchmark's server spent
its time, one JSON line per request in the worker's var directory: wall time, the worker's own CPU
(thread_time), the time waiting on the database and its query count, the garbage collections and
what is left (waiting for a core, or for anything else). Never part of the product."""

import gc
import json
import os
import threading
import time
from pathlib import Path

from django.db import connection

from bench.dashboard_profile import QueryTimer

_state = threading.local()


def _gc_callback(phase: str, info: dict) -> None:
    if phase == "start":
        _state.gc_started = time.perf_counter()
    elif getattr(_state, "gc_started", None) is not None:
        _state.gc_ms = getattr(_state, "gc_ms", 0.0) + 1000 * (
            time.perf_counter() - _state.gc_started
        )
        _state.gc_gen = max(getattr(_state, "gc_gen", -1), info.get("generation", -1))


class RequestTimingMiddleware:
    def __init__(self, get_response) -> None:
        self.get_response = get_response
        self.path = Path(os.environ.get("VCASSURE_VAR_DIR", "."), f"timing-{os.getpid()}.jsonl")
        if _gc_callback not in gc.callbacks:
            gc.callbacks.append(_gc_callback)

    def __call__(self, request):
        _state.gc_ms, _state.gc_gen = 0.0, -1
        db = QueryTimer(slow_ms=20)
        wall0, cpu0 = time.perf_counter(), time.thread_time()
        with connection.execute_wrapper(db):
            response = self.get_response(request)
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
        }
        with self.path.open("a") as out:
            out.write(json.dumps(record) + "\n")
        return response

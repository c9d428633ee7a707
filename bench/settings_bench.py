"""The benchmark server's settings: production settings exactly, plus the bench-only URLconf that
adds the bare baseline view, and the bench's own files (bench/workdir.py): its var directory, so
its SQLite database, Huey queue and media are never those of `make run` in var/. Never used by
the product."""

import os

from django.core.exceptions import ImproperlyConfigured

from bench.workdir import bench_var_dir

os.environ.setdefault("VCASSURE_VAR_DIR", str(bench_var_dir()))

from config.settings.prod import *  # noqa: E402, F403
from config.settings.prod import BASE_DIR, HUEY, VAR_DIR  # noqa: E402

if VAR_DIR.resolve() == (BASE_DIR / "var").resolve():
    raise ImproperlyConfigured(
        "the benchmark must not use var/ (make run's files): see bench/workdir.py"
    )
VAR_DIR.mkdir(parents=True, exist_ok=True)
if HUEY["huey_class"] == "huey.SqliteHuey":
    # The queue beside the bench's own files whatever HUEY_SQLITE_PATH the shell has.
    HUEY = {**HUEY, "filename": str(VAR_DIR / "huey.sqlite3")}

ROOT_URLCONF = "bench.baseline_urls"

if os.environ.get("BENCH_DEBUG"):  # where each request's time went (bench/request_timing.py)
    MIDDLEWARE = ["bench.request_timing.RequestTimingMiddleware", *MIDDLEWARE]  # noqa: F405

"""Where `make bench` keeps its files: its own directory (var/bench/, or $BENCH_VAR_DIR), emptied at
the start of every run. Never var/ itself: that holds `make run`'s database and queue, and a
schedule left in var/huey.sqlite3 by the demo once sent the benchmark's consumers spinning."""

import os
import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def bench_var_dir() -> Path:
    return Path(os.environ.get("BENCH_VAR_DIR") or ROOT / "var" / "bench").resolve()


def fresh_bench_var_dir() -> Path:
    """Empty the bench directory and make it again (the database, queue and media of one run)."""
    path = bench_var_dir()
    if path == (ROOT / "var").resolve() or path == ROOT.resolve():
        raise RuntimeError(f"refusing to use {path} for the benchmark: it is not a bench directory")
    shutil.rmtree(path, ignore_errors=True)
    (path / "staticfiles").mkdir(parents=True)
    (path / "media").mkdir()
    return path


def bench_environment(var_dir: Path, database_url: str | None) -> dict[str, str]:
    """The variables every bench process runs with: the database (a fresh SQLite file unless a
    DATABASE_URL is given), the Huey queue file and media under var_dir, no Redis."""
    return {
        "VCASSURE_VAR_DIR": str(var_dir),
        "DATABASE_URL": database_url or f"sqlite:///{var_dir / 'bench.sqlite3'}",
        "HUEY_SQLITE_PATH": str(var_dir / "huey.sqlite3"),
        "MEDIA_ROOT": str(var_dir / "media"),
        "STATIC_ROOT": str(var_dir / "staticfiles"),
        "REDIS_URL": "",
    }

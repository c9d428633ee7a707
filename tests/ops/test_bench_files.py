"""`make bench` keeps its database, queue and media in its own directory (var/bench/), emptied at
the start of every run: never `make run`'s var/vcassure.sqlite3 or var/huey.sqlite3."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
SHOW = (
    "import json, django; django.setup(); from django.conf import settings as s; "
    "print(json.dumps({'db': str(s.DATABASES['default']['NAME']), "
    "'huey': s.HUEY.get('filename', ''), 'media': str(s.MEDIA_ROOT), 'var': str(s.VAR_DIR), "
    "'urls': s.ROOT_URLCONF}))"
)


def clean_env(**extra: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "REDIS_URL", "VCASSURE_VAR_DIR", "DJANGO_SETTINGS_MODULE"}
    }
    # A shell that had `make run`'s queue in its environment must not lead the bench to it.
    env["HUEY_SQLITE_PATH"] = str(ROOT / "var" / "huey.sqlite3")
    env["SECRET_KEY"] = "x" * 64
    env.update(extra)
    return env


def under(path: str, directory: Path) -> bool:
    return Path(path).resolve().is_relative_to(directory.resolve())


def test_the_bench_run_starts_from_an_empty_directory_of_its_own(tmp_path):
    bench_dir = tmp_path / "bench"
    bench_dir.mkdir()
    (bench_dir / "huey.sqlite3").write_text("stale schedule from an earlier run")
    (bench_dir / "bench.sqlite3").write_text("stale database")
    code = (
        "import json, bench.__main__ as m; m.setup_django(None); "
        "from django.conf import settings as s; "
        "print(json.dumps({'db': str(s.DATABASES['default']['NAME']), "
        "'huey': s.HUEY['filename'], 'media': str(s.MEDIA_ROOT), 'var': str(s.VAR_DIR)}))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=clean_env(BENCH_VAR_DIR=str(bench_dir)),
        capture_output=True,
        text=True,
        check=True,
    )
    paths = json.loads(out.stdout.strip().splitlines()[-1])
    assert paths == {
        "db": str(bench_dir / "bench.sqlite3"),
        "huey": str(bench_dir / "huey.sqlite3"),
        "media": str(bench_dir / "media"),
        "var": str(bench_dir),
    }
    # The stale files are gone: the run starts fresh (the queue file Huey made anew, empty).
    assert not (bench_dir / "bench.sqlite3").exists()
    assert b"stale" not in (bench_dir / "huey.sqlite3").read_bytes()
    assert (bench_dir / "media").is_dir()


def test_the_bench_server_settings_never_point_at_make_runs_files(tmp_path):
    # Without any variable set: var/bench/, not var/.
    out = subprocess.run(
        [sys.executable, "-c", SHOW],
        cwd=ROOT,
        env=clean_env(DJANGO_SETTINGS_MODULE="bench.settings_bench"),
        capture_output=True,
        text=True,
        check=True,
    )
    paths = json.loads(out.stdout.strip().splitlines()[-1])
    assert paths["urls"] == "bench.baseline_urls"
    assert Path(paths["var"]) == ROOT / "var" / "bench"
    for name in ("db", "huey", "media"):
        assert under(paths[name], ROOT / "var" / "bench"), (name, paths[name])
        assert Path(paths[name]).resolve() not in {
            (ROOT / "var" / "vcassure.sqlite3").resolve(),
            (ROOT / "var" / "huey.sqlite3").resolve(),
            (ROOT / "var" / "media").resolve(),
        }


def test_the_bench_server_refuses_var_itself():
    out = subprocess.run(
        [sys.executable, "-c", SHOW],
        cwd=ROOT,
        env=clean_env(
            DJANGO_SETTINGS_MODULE="bench.settings_bench", VCASSURE_VAR_DIR=str(ROOT / "var")
        ),
        capture_output=True,
        text=True,
    )
    assert out.returncode != 0
    assert "must not use var/" in out.stderr


def timed_requests(tmp_path, monkeypatch, client, tree) -> list[dict]:
    """A page and the health check through BENCH_DEBUG's middleware; the lines it wrote."""
    from django.conf import settings
    from django.test.utils import override_settings

    monkeypatch.setenv("VCASSURE_VAR_DIR", str(tmp_path))
    client.force_login(tree.user("province"))
    timing = "bench.request_timing.RequestTimingMiddleware"
    with override_settings(MIDDLEWARE=[timing, *settings.MIDDLEWARE]):
        assert client.get("/meetings/").status_code == 200
        assert client.get("/api/health").status_code in (200, 503)
    return [json.loads(x) for x in next(tmp_path.glob("timing-*.jsonl")).read_text().splitlines()]


def test_bench_debug_writes_where_each_request_spent_its_time(tmp_path, monkeypatch, client, tree):
    """BENCH_DEBUG's middleware (bench/request_timing.py): a JSON line per request of the bench's
    server, with its wall time, the worker's CPU, its time in the database and its query count."""
    lines = timed_requests(tmp_path, monkeypatch, client, tree)
    assert [x["path"] for x in lines] == ["/meetings/", "/api/health"]
    page = lines[0]
    assert page["q"] >= 2  # the session and the user at least
    assert 0 <= page["db"] <= page["wall"] and page["cpu"] > 0
    assert {"gc", "gc_gen", "slow", "t"} <= set(page)
    # The kernel's account of the worker thread: on a core about as long as its CPU time, and a
    # wait for a core (0 on an idle machine); the database's backend likewise on PostgreSQL.
    assert page["sched_worker"]["run"] > 0 and page["sched_worker"]["wait"] >= 0
    assert page["preempted"] >= 0 and page["faults"] >= 0 and page["imported"] >= 0
    from django.db import connection

    if connection.vendor == "postgresql":
        assert page["sched_pg"]["run"] > 0
    else:
        assert page["sched_pg"] is None


def test_bench_debug_profiles_the_heavy_requests_it_is_asked_to(
    tmp_path, monkeypatch, client, tree
):
    """BENCH_PROFILE_OVER_MS: the requests of BENCH_PROFILE_PATH run under cProfile and the profile
    of each heavier than the threshold is kept beside the timing file, named in its line."""
    import pstats

    from bench import request_timing

    monkeypatch.setattr(request_timing, "PROFILE_OVER_MS", 0.001)
    monkeypatch.setattr(request_timing, "PROFILE_PATH", "/meetings/")
    page, health = timed_requests(tmp_path, monkeypatch, client, tree)
    assert "profile" not in health  # not a path asked for
    stats = pstats.Stats(page["profile"])
    assert any(name == "meeting_list" for (_file, _line, name) in stats.stats)

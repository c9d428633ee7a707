"""The acknowledgement burst (SPEC §4): 2,000 personal acknowledgement links POSTed by 32 concurrent
HTTP clients to the production server (gunicorn, sync workers, config/gunicorn.conf.py, production
settings), against a bare Django view doing one INSERT served by the same server and database in
the same run (bench/baseline_urls.py, only in the bench's settings)."""

import contextlib
import http.client
import os
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import httpx

from bench.workdir import bench_environment, bench_var_dir

ROOT = Path(__file__).resolve().parent.parent
CLIENTS = 32
TARGET_P99_MS = {"postgresql": 100, "sqlite": 250}
TARGET_RATIO = 0.5


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def gunicorn_server(
    *,
    database_url: str,
    workers: int = 2,
    consumers: int = 0,
    extra_env: dict | None = None,
    groups=None,
    group: str = "web",
):
    """The production server on 127.0.0.1 with the bench settings, and `consumers` Huey consumers
    (manage.py run_huey, as in production mode) sharing its queue; all stopped on exit. With
    `groups` (bench/service_groups.py), the server starts in the CPU group `group` and the
    consumers in "worker", as their systemd units would run."""
    port = free_port()
    bench_var_dir().mkdir(parents=True, exist_ok=True)
    var = Path(tempfile.mkdtemp(prefix="web-", dir=bench_var_dir()))
    (var / "staticfiles").mkdir()
    (var / "media").mkdir()
    env = {
        **os.environ,
        **bench_environment(var, database_url),
        "DJANGO_SETTINGS_MODULE": "bench.settings_bench",
        "SECRET_KEY": os.environ.get("SECRET_KEY") or secrets.token_urlsafe(64),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "false",
        "PORT": str(port),
        "WEB_CONCURRENCY": str(workers),
        "LOG_LEVEL": "WARNING",
        # BENCH_DEBUG: every request with its time in the server, in var/bench/web-*/gunicorn.log.
        "GUNICORN_ACCESS_LOG": "json" if os.environ.get("BENCH_DEBUG") else "off",
        **(extra_env or {}),
    }
    log = open(var / "gunicorn.log", "w")  # noqa: SIM115 - closed below
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "config.wsgi",
            "-c",
            str(ROOT / "config" / "gunicorn.conf.py"),
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        preexec_fn=groups.preexec(group) if groups else None,  # noqa: PLW1509
    )
    # The consumers at the priority deploy/systemd/vcassure-worker@.service gives them: sending
    # thousands of messages yields the CPU to the people waiting on a page. Here they share the
    # web server's session (one autogroup), where Nice=10 does what the unit's CPUWeight=20 does
    # between services in production (a nice value orders processes within their group only);
    # with `groups`, in a group of their own with that weight.
    nice = int(os.environ.get("BENCH_WORKER_NICE", "10"))
    renice = (lambda: os.nice(nice)) if nice else None
    workers_ = [
        subprocess.Popen(
            [sys.executable, "manage.py", "run_huey", "-w", "2", "-k", "thread"],
            preexec_fn=groups.preexec("worker", renice) if groups else renice,  # noqa: PLW1509
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        for _ in range(consumers)
    ]
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"gunicorn exited: {(var / 'gunicorn.log').read_text()[-2000:]}")
            try:
                if httpx.get(f"{base}/api/health", timeout=2).status_code in (200, 503):
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("gunicorn did not answer within 30 s")
            time.sleep(0.2)
        yield base
    finally:
        for p in (process, *workers_):
            p.terminate()
        for p in (process, *workers_):
            try:
                p.wait(timeout=20)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
        log.close()


def burst(base: str, paths: list[str], *, clients: int = CLIENTS) -> dict:
    """POST every path once from `clients` threads, each with its own http.client connection
    (the standard library's: the load generator should cost the shared 2 cores as little as it
    can; httpx took about 1 ms of CPU per request, as much as the bare view). gunicorn's sync
    workers close the connection after each answer, so every request opens a new one, for the
    baseline and the acknowledgements alike."""
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    lock = threading.Lock()
    index = iter(range(len(paths)))
    host, port = urlsplit(base).hostname, urlsplit(base).port

    def worker() -> None:
        while True:
            with lock:
                i = next(index, None)
            if i is None:
                return
            started = time.perf_counter()
            conn = http.client.HTTPConnection(host, port, timeout=30)
            try:
                conn.request("POST", paths[i], headers={"Content-Length": "0"})
                response = conn.getresponse()
                response.read()
                status = response.status
            finally:
                conn.close()
            elapsed = time.perf_counter() - started
            with lock:
                latencies.append(elapsed)
                statuses[status] = statuses.get(status, 0) + 1

    threads = [threading.Thread(target=worker) for _ in range(clients)]
    cpu = time.process_time()
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - started
    cpu = time.process_time() - cpu
    return _summary(latencies, wall, cpu, statuses)


def _summary(latencies: list[float], wall: float, cpu: float, statuses: dict[int, int]) -> dict:
    ms = sorted(s * 1000 for s in latencies)
    return {
        "requests": len(ms),
        "seconds": round(wall, 3),
        "rps": round(len(ms) / wall, 1),
        "p50_ms": round(statistics.median(ms), 1),
        "p99_ms": round(_percentile(ms, 99), 1),
        "max_ms": round(ms[-1], 1),
        "statuses": statuses,
        "client_cpu_ms_per_request": round(cpu / len(ms) * 1000, 2),
        "latencies_ms": ms,
    }


def paired(
    base: str, first: list[str], second: list[str], *, slices: int = 4, settle=None
) -> tuple[dict, dict]:
    """Both bursts in alternating slices (first, second, first, …), so that whatever else the
    machine does during the run weighs on both alike; each summed over its slices. `settle()` runs
    after every slice of the second kind, outside the timing (wait for its deferred work)."""
    out: list[dict] = [{"latencies": [], "wall": 0.0, "cpu": 0.0, "statuses": {}} for _ in range(2)]
    for i in range(slices):
        for n, (acc, paths) in enumerate(zip(out, (first, second), strict=True)):
            part = paths[i * len(paths) // slices : (i + 1) * len(paths) // slices]
            r = burst(base, part)
            if n == 1 and settle is not None:
                settle()
            acc["latencies"] += [x / 1000 for x in r["latencies_ms"]]
            acc["wall"] += r["seconds"]
            acc["cpu"] += r["client_cpu_ms_per_request"] * r["requests"] / 1000
            for status, n in r["statuses"].items():
                acc["statuses"][status] = acc["statuses"].get(status, 0) + n
    a, b = (_summary(acc["latencies"], acc["wall"], acc["cpu"], acc["statuses"]) for acc in out)
    return a, b


def _percentile(ordered: list[float], p: int) -> float:
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))]


def scenario_ack_burst(n_tokens: int, repeat: int, *, database_url: str) -> dict:
    """Each run: publish two fresh 2,000-venue meetings (committed: the server must see them), then
    the baseline burst and the acknowledgement burst of n_tokens requests each, in alternating
    quarters. Throughput is requests over the time spent in that kind's bursts. Two Huey consumers
    run beside the server, as in production mode, applying the acknowledgements' effects (the tasks
    move) during the bursts; after each acknowledgement quarter the bench waits until they have
    applied everything (not timed, reported as the effects' lag) so no leftover work weighs on the
    next baseline quarter. At the end every acknowledged link must have moved its task."""
    from django.db import connection

    from bench.scenarios import (
        ack_burst_cleanup,
        ack_burst_tokens,
        bench_user,
        bulk_venues,
        meeting_draft,
        publish,
    )
    from vcassure.notifications.models import Notification

    user = bench_user()
    venue_ids = bulk_venues(2000)
    connection.close()  # SQLite: no connection of ours holds the file while the server writes
    runs, baselines, meetings = [], [], []
    lags: list[float] = []
    try:

        def settle() -> None:
            started = time.perf_counter()
            while Notification.objects.filter(ack_effects_pending=True).exists():
                if time.perf_counter() - started > 120:
                    raise RuntimeError(
                        "the consumers did not apply the acknowledgements within 120 s"
                    )
                time.sleep(0.05)
            lags.append(time.perf_counter() - started)
            connection.close()

        with gunicorn_server(database_url=database_url, consumers=2) as base:
            warm = [f"/bench/insert/warm{i}" for i in range(64)]
            burst(base, warm)
            for _ in range(repeat):
                # Two 2,000-venue meetings on days of their own (so that nobody is already committed).
                fresh = []
                for _ in range(2):
                    meeting = meeting_draft(
                        user, venue_ids, starts_in=timedelta(days=3 + len(meetings))
                    )
                    publish(user, meeting)
                    meetings.append(meeting.pk)
                    fresh.append(meeting)
                tokens = ack_burst_tokens(fresh, n_tokens)
                connection.close()
                bare, acks = paired(
                    base,
                    [f"/bench/insert/{secrets.token_urlsafe(24)}" for _ in range(n_tokens)],
                    [f"/api/ack/{t}" for t in tokens],
                    settle=settle,
                )
                baselines.append({k: v for k, v in bare.items() if k != "latencies_ms"})
                runs.append({k: v for k, v in acks.items() if k != "latencies_ms"})
                assert runs[-1]["statuses"] == {200: n_tokens}, runs[-1]["statuses"]
                assert baselines[-1]["statuses"] == {200: n_tokens}, baselines[-1]["statuses"]
        acknowledged = ack_burst_cleanup(meetings)
    finally:
        connection.close()

    def med(rows: list[dict], key: str) -> float:
        return round(statistics.median(r[key] for r in rows), 1)

    rps, base_rps = med(runs, "rps"), med(baselines, "rps")
    ratio = rps / base_rps
    p99_target = TARGET_P99_MS.get(connection.vendor, 100)
    return {
        "scenario": f"ack_burst_{n_tokens}",
        "median_s": round(1 / rps, 5),
        "baseline_median_s": round(1 / base_rps, 5),
        "ratio": round(ratio, 2),
        "rps": rps,
        "p50_ms": med(runs, "p50_ms"),
        "p99_ms": med(runs, "p99_ms"),
        "max_ms": med(runs, "max_ms"),
        "baseline_rps": base_rps,
        "baseline_p50_ms": med(baselines, "p50_ms"),
        "baseline_p99_ms": med(baselines, "p99_ms"),
        "runs": runs,
        "baseline_runs": baselines,
        "clients": CLIENTS,
        "gunicorn_workers": 2,
        "huey_consumers": 2,
        "tasks_acknowledged": acknowledged,
        "tasks_expected": n_tokens * repeat,
        "effects_lag_after_burst_s": {
            "median": round(statistics.median(lags), 2),
            "max": round(max(lags), 2),
        },
        "target": f"≥ 50 % of baseline req/s, p99 ≤ {p99_target} ms",
        "meets_target": ratio >= TARGET_RATIO
        and med(runs, "p99_ms") <= p99_target
        and acknowledged == n_tokens * repeat,
    }

"""The load of `python -m bench --scale N` once three province-wide meetings are published: their
fan-outs (sent by the Huey consumers, as in production, to the local fake providers), an
acknowledgement burst on their personal links and their live dashboards polled by the provinces'
dispatchers, all at once against the production server (gunicorn) and two consumers, with the
resident memory of every web and worker process sampled from /proc throughout."""

import contextlib
import http.client
import multiprocessing
import os
import random
import secrets
import statistics
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

from bench.ack_burst import _percentile, burst
from bench.service_groups import process_tree

PROC = Path("/proc")
# Between two refreshes of one dispatcher. The page polls every 5 s; half a second keeps enough
# samples in a 30-second load while the three pollers stay far below what two workers serve, so
# what is timed is a refresh's latency, not a queue of refreshes (as in bench/dashboard_http.py).
PAUSE_S = 0.5


class RssSampler(threading.Thread):
    """The peak resident set (VmRSS) of every gunicorn and run_huey process below this one."""

    def __init__(self, interval: float = 0.25) -> None:
        super().__init__(daemon=True)
        self.interval, self.stop = interval, threading.Event()
        self.peaks: dict[int, tuple[str, int]] = {}  # pid -> (kind, kB)

    def run(self) -> None:
        while not self.stop.is_set():
            for pid in process_tree(os.getpid())[1:]:  # every process below this one
                try:
                    cmdline = (PROC / str(pid) / "cmdline").read_bytes().replace(b"\0", b" ")
                    status = (PROC / str(pid) / "status").read_text()
                except OSError:
                    continue
                kind = (
                    "web" if b"gunicorn" in cmdline else "worker" if b"run_huey" in cmdline else ""
                )
                rss = next(
                    (int(x.split()[1]) for x in status.splitlines() if x.startswith("VmRSS:")), 0
                )
                if kind and rss > self.peaks.get(pid, ("", 0))[1]:
                    self.peaks[pid] = (kind, rss)
            self.stop.wait(self.interval)

    def result(self) -> dict:
        by_kind: dict[str, list[float]] = {}
        for kind, kb in self.peaks.values():
            by_kind.setdefault(kind, []).append(round(kb / 1024, 1))
        return {
            "max_mb": max((mb for mbs in by_kind.values() for mb in mbs), default=0.0),
            "peak_mb_by_process": {kind: sorted(mbs) for kind, mbs in by_kind.items()},
            "processes": len(self.peaks),
        }


def poll_dashboards(base: str, targets: list[tuple[str, str]], stop: threading.Event, out: list):
    """GET the meetings' live partials in turn (their dispatchers' sessions), until stop is set;
    append (seconds, status) per refresh, PAUSE_S apart."""
    host, port = urlsplit(base).hostname, urlsplit(base).port
    # Each dispatcher's browser keeps its own timer. Pollers started together with one fixed pause
    # stay in step, and then every refresh of the three arrives at the same instant at two web
    # workers, one waiting for the other: what was timed was that queue. A pause drawn around
    # PAUSE_S keeps them independent, as browsers are.
    jitter = random.Random(targets[0][0])  # noqa: S311 - timing, not security
    stop.wait(jitter.uniform(0, PAUSE_S))
    i = 0
    while not stop.is_set():
        path, cookie = targets[i % len(targets)]
        i += 1
        started = time.perf_counter()
        conn = http.client.HTTPConnection(host, port, timeout=30)
        try:
            conn.request("GET", path, headers={"Cookie": cookie, "HX-Request": "true"})
            response = conn.getresponse()
            response.read()
        finally:
            conn.close()
        out.append((time.perf_counter() - started, response.status))
        if os.environ.get("BENCH_DEBUG"):  # every refresh with its time: which ones are slow
            print(
                f"poll {path[:30]} t={time.time():.2f} {1000 * (time.perf_counter() - started):.0f} ms",
                flush=True,
            )
        stop.wait(jitter.uniform(0.5, 1.5) * PAUSE_S)


def dashboard_pollers(base: str, targets: list, stop: threading.Event, out: list) -> list:
    """One poller per dispatcher (each watching their own province's meeting)."""
    return [
        threading.Thread(target=poll_dashboards, args=(base, [target], stop, out))
        for target in targets
    ]


def _poll_process(base: str, targets: list, stop, count: int, queue) -> None:
    # The dispatchers' browsers are other machines: here the pollers share two cores with the load
    # they measure, so they run ahead of it (when allowed to), lest a refresh's time include the
    # poller's own wait for a core. The server's side runs at its normal priority.
    with contextlib.suppress(OSError):
        os.nice(int(os.environ.get("BENCH_POLLER_NICE", "-5")))
    samples: list = []
    done = threading.Event()
    pollers = dashboard_pollers(base, targets, done, samples)
    for poller in pollers:
        poller.start()
    while not stop.wait(0.05) and not (count and len(samples) >= count):
        pass
    done.set()
    for poller in pollers:
        poller.join()
    queue.put(samples)


class Pollers:
    """The dispatchers' pollers in a process of their own (forked), so that their timings never
    wait for the interpreter lock behind the 32 threads of the acknowledgement burst."""

    def __init__(self, base: str, targets: list, count: int = 0) -> None:
        from django.db import connections

        connections.close_all()  # the child never queries; it must not share our socket
        ctx = multiprocessing.get_context("fork")
        self.stop, self.queue = ctx.Event(), ctx.Queue()
        self.process = ctx.Process(
            target=_poll_process, args=(base, targets, self.stop, count, self.queue)
        )
        self.process.start()

    def finish(self, *, wait: bool = False) -> list:
        """The samples: now (stopping the pollers), or once they have `count` (wait)."""
        if not wait:
            self.stop.set()
        samples = self.queue.get(timeout=120)
        self.process.join()
        return samples


def dashboard_stats(samples: list) -> dict:
    ms = sorted(s * 1000 for s, _status in samples)
    statuses: dict[int, int] = {}
    for _s, status in samples:
        statuses[status] = statuses.get(status, 0) + 1
    return {
        "refreshes": len(ms),
        "p50_ms": round(statistics.median(ms), 1),
        "p90_ms": round(_percentile(ms, 90), 1),
        "p99_ms": round(_percentile(ms, 99), 1),
        "max_ms": round(ms[-1], 1),
        "statuses": statuses,
        # Every refresh, in the order they came back: one run's "p99" is its slowest one or two,
        # so runs are pooled to read the percentile (bench/results/scale<N>*.json).
        "samples_ms": [round(s * 1000, 1) for s, _status in samples],
    }


def undone_deliveries(topics: list[str]) -> int:
    """Deliveries of the topics still to send: sending, or queued except those the group robots'
    per-minute budget holds back (never attempted), which the fan-out scenario leaves out too."""
    from django.db.models import Q

    from vcassure.notifications.models import Delivery

    mine = Delivery.objects.filter(topic__in=topics)
    return mine.filter(
        Q(status=Delivery.Status.SENDING)
        | (Q(status=Delivery.Status.QUEUED) & ~Q(group__isnull=False, attempts=0))
    ).count()


def dashboard_targets(meetings: list, users: list) -> list[tuple[str, str]]:
    """Each meeting's live partial with a session cookie of its province's dispatcher."""
    from django.conf import settings
    from django.test import Client

    targets = []
    for meeting, user in zip(meetings, users, strict=True):
        client = Client()
        client.force_login(user)  # a session in the database the server reads
        cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
        # What the page's 5-second poll asks for: a background poll (`poll=1`), which leaves the
        # session alone (without it every refresh saved the session row).
        poll = f"/meetings/{meeting.pk}/dashboard/?unit={meeting.org_unit_id}&poll=1"
        targets.append((poll, f"{settings.SESSION_COOKIE_NAME}={cookie}"))
    return targets


def run_load(
    base: str,
    acks_base: str,
    topics: list[str],
    targets: list,
    tokens: list[str],
    published_at: float,
) -> dict:
    """Acknowledgement burst and dashboards while the consumers fan out; returns the figures."""
    from django.db import connection

    acks: dict = {}
    acker = threading.Thread(
        target=lambda: acks.update(burst(acks_base, [f"/api/ack/{t}" for t in tokens]))
    )
    started = time.perf_counter()
    pollers = Pollers(base, targets)
    acker.start()
    fanout_done = None
    deadline = started + 300
    while time.perf_counter() < deadline:
        if undone_deliveries(topics) == 0:
            fanout_done = time.perf_counter()
            break
        time.sleep(0.2)
    acker.join()
    samples = pollers.finish()
    load_seconds = time.perf_counter() - started
    connection.close()
    return {
        "fanout_seconds_after_publish": round(fanout_done - published_at, 2)
        if fanout_done
        else None,
        "fanout_seconds_after_load_start": round(fanout_done - started, 2) if fanout_done else None,
        "load_seconds": round(load_seconds, 2),
        "acks": {k: v for k, v in acks.items() if k != "latencies_ms"},
        "dashboards": dashboard_stats(samples),
    }


def idle_baselines(base: str, acks_base: str, targets: list, n_bare: int) -> dict:
    """The same dashboards polled with nothing else running, and the bare one-INSERT view's burst."""
    samples = Pollers(base, targets, count=90).finish(wait=True)
    bare = burst(acks_base, [f"/bench/insert/{secrets.token_urlsafe(24)}" for _ in range(n_bare)])
    return {
        "dashboards": dashboard_stats(samples),
        "bare_inserts": {k: v for k, v in bare.items() if k != "latencies_ms"},
    }

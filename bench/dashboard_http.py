"""The dashboard refresh over HTTP (SPEC §4 second wave): the live partial of a published 2,000-venue
meeting (the 5-second HTMX poll of GET /meetings/<id>/dashboard/ with HX-Request) fetched from
the production server (gunicorn, sync workers, config/gunicorn.conf.py, production settings) by
signed-in dispatchers, against the bare Django table of the same rows served by the same server
(bench/baseline_urls.py) in the same run, in alternating slices so that the machine's other load
weighs on both alike. Each request opens its own connection, as gunicorn's sync workers close
it after each answer."""

import http.client
import statistics
import threading
import time
from datetime import timedelta
from urllib.parse import urlsplit

from bench.ack_burst import _percentile, gunicorn_server

# One poll at a time: dispatchers refresh every 5 s, far below what two workers serve, so what a
# dispatcher feels is one render's latency, not a queue (the acknowledgement burst measures load).
CLIENTS = 1
TARGET_P99_MS = 100


def fetch_all(base: str, paths: list[str], headers: dict[str, str]) -> tuple[list[float], dict]:
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
                conn.request("GET", paths[i], headers=headers)
                response = conn.getresponse()
                response.read()
            finally:
                conn.close()
            elapsed = time.perf_counter() - started
            with lock:
                latencies.append(elapsed)
                statuses[response.status] = statuses.get(response.status, 0) + 1

    threads = [threading.Thread(target=worker) for _ in range(CLIENTS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return latencies, statuses


def scenario_dashboard_http(n_venues: int, requests: int, *, database_url: str) -> dict:
    from django.conf import settings
    from django.db import connection, transaction
    from django.test import Client

    from bench.scenarios import (
        ack_burst_cleanup,
        bench_user,
        bulk_venues,
        meeting_draft,
        publish,
        spread_states,
    )

    user = bench_user()
    venue_ids = bulk_venues(n_venues)
    with transaction.atomic():
        meeting = meeting_draft(user, venue_ids, starts_in=timedelta(minutes=45))
        publish(user, meeting)
        spread_states(meeting)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    client = Client()
    client.force_login(user)  # a session in the database the server reads
    cookie = f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
    connection.close()  # SQLite: no connection of ours holds the file while the server reads
    # What the page's 5-second poll asks for (hx-get="{{ live_url }}&poll=1"): a background poll,
    # which leaves the session's idle clock alone (without `poll=1` every refresh saved the session).
    live = f"/meetings/{meeting.pk}/dashboard/?unit={meeting.org_unit_id}&poll=1"
    bare = f"/bench/rows/{meeting.pk}/"
    headers = {"Cookie": cookie, "HX-Request": "true", "Host": "127.0.0.1"}
    samples: list[float] = []
    baseline: list[float] = []
    try:
        with gunicorn_server(database_url=database_url) as base:
            for path in (live, bare):  # warm both workers' templates and caches
                _lat, statuses = fetch_all(base, [path] * 4, headers)
                assert statuses == {200: 4}, (path, statuses)
            slices = 4
            for _ in range(slices):
                lat, statuses = fetch_all(base, [live] * (requests // slices), headers)
                assert statuses == {200: requests // slices}, statuses
                samples += lat
                n_bare = max(2, requests // slices // 8)  # the bare table is ten times slower
                lat, statuses = fetch_all(base, [bare] * n_bare, headers)
                assert statuses == {200: n_bare}, statuses
                baseline += lat
    finally:
        ack_burst_cleanup([meeting.pk])
        connection.close()
    ms = sorted(s * 1000 for s in samples)
    base_ms = sorted(s * 1000 for s in baseline)
    p50, p99 = statistics.median(ms), _percentile(ms, 99)
    base_p50 = statistics.median(base_ms)
    return {
        "scenario": f"dashboard_http_{n_venues}",
        "median_s": round(p50 / 1000, 4),
        "baseline_median_s": round(base_p50 / 1000, 4),
        "ratio": round(p50 / base_p50, 2) if base_p50 else None,
        "p50_ms": round(p50, 1),
        "p90_ms": round(_percentile(ms, 90), 1),
        "p99_ms": round(p99, 1),
        "max_ms": round(ms[-1], 1),
        "renders": len(ms),
        "baseline_p50_ms": round(base_p50, 1),
        "baseline_p99_ms": round(_percentile(base_ms, 99), 1),
        "baseline_renders": len(base_ms),
        "clients": CLIENTS,
        "gunicorn_workers": 2,
        "target": f"p99 ≤ {TARGET_P99_MS} ms over HTTP (gunicorn)",
        "meets_target": p99 <= TARGET_P99_MS,
    }

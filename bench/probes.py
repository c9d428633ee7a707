"""Readiness probes at scale (SPEC §4: 4,000 devices in ≤ 15 s): 2,000 venues × terminal + switch,
each probed by TCP connect to listeners on loopback addresses (127.0.10.1–50), through the same
service the worker uses (probes_run: network, then every result and the latest per device stored).
Baseline: the bare connects alone, with the same bound on concurrency."""

import selectors
import socket
import statistics
import threading
import time

LISTENERS = 50
PORT = 15060


class Listeners:
    """TCP listeners on 127.0.10.1..50 accepting and closing in one thread."""

    def __init__(self) -> None:
        self.selector = selectors.DefaultSelector()
        self.socks = []
        for i in range(1, LISTENERS + 1):
            sock = socket.socket()
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind((f"127.0.10.{i}", PORT))
            sock.listen(4096)
            sock.setblocking(False)
            self.selector.register(sock, selectors.EVENT_READ)
            self.socks.append(sock)
        self.stopping = False
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while not self.stopping:
            for key, _ in self.selector.select(timeout=0.2):
                try:
                    while True:
                        conn, _ = key.fileobj.accept()
                        conn.close()
                except (BlockingIOError, OSError):
                    pass

    def close(self) -> None:
        self.stopping = True
        self.thread.join(2)
        for sock in self.socks:
            sock.close()


def bench_equipment(venue_ids: list[int]) -> list:
    """A terminal and a switch per venue, probed by TCP on a loopback listener (made once)."""
    from vcassure.probes.models import ProbeTarget
    from vcassure.venues.models import Equipment

    existing = Equipment.objects.filter(venue_id__in=venue_ids, serial_number__startswith="BENCH-")
    if existing.count() < 2 * len(venue_ids):
        rows = []
        for n, venue_id in enumerate(venue_ids):
            for k, kind in enumerate(("terminal", "switch")):
                i = 2 * n + k
                rows.append(
                    Equipment(
                        venue_id=venue_id,
                        kind=kind,
                        serial_number=f"BENCH-{i:05d}",
                        management_ip=f"127.0.10.{i % LISTENERS + 1}",
                    )
                )
        made = Equipment.objects.bulk_create(rows, batch_size=1000)
        ProbeTarget.objects.bulk_create(
            [ProbeTarget(equipment=e, method="tcp", port=PORT) for e in made], batch_size=1000
        )
    return list(
        Equipment.objects.filter(venue_id__in=venue_ids, serial_number__startswith="BENCH-")
        .select_related("probe_target")
        .order_by("id")
    )


def scenario_probes(n_venues: int, repeat: int) -> dict:
    from bench.scenarios import bulk_venues, rollback
    from vcassure.probes import engine
    from vcassure.probes.services import DEFAULT_CONCURRENCY, probes_run, spec_of

    equipment = bench_equipment(bulk_venues(n_venues))
    listeners = Listeners()
    samples, baseline, failed = [], [], 0
    try:
        for _ in range(repeat):
            with rollback():
                started = time.perf_counter()
                outcome = probes_run(equipment, timeout=5.0)
                samples.append(time.perf_counter() - started)
                failed = len(outcome.failed)
            specs = [spec_of(e) for e in equipment]
            started = time.perf_counter()
            engine.probe_all(specs, timeout=5.0, concurrency=DEFAULT_CONCURRENCY)
            baseline.append(time.perf_counter() - started)
    finally:
        listeners.close()
    median, base = statistics.median(samples), statistics.median(baseline)
    return {
        "scenario": f"probes_{len(equipment)}",
        "median_s": round(median, 3),
        "baseline_median_s": round(base, 3),
        "ratio": round(median / base, 1) if base else None,
        "samples_s": [round(s, 3) for s in samples],
        "failed": failed,
        "target": "≤ 15 s for 4,000 devices",
        "meets_target": median <= 15.0 and failed == 0,
    }

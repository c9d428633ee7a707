"""`python -m bench.dashboard_profile`: one dashboard refresh of a published 2,000-venue meeting
(the data of `dashboard_2000`), taken apart in process: CPU time per refresh (time.process_time,
which the machine's other load disturbs far less than wall time), the time spent waiting on the
database, the queries, and optionally a cProfile of the refreshes and the rendered pages written
to a directory (with the clock frozen, so that two versions of the code can be compared byte for
byte on a fresh SQLite database).

    python -m bench.dashboard_profile [--database-url URL] [--renders 40] [--profile [--stats FILE]] [--dump DIR] [--queries]
"""

import argparse
import cProfile
import os
import pstats
import statistics
import time
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

# The instant the data is built and the pages are dumped at: 45 minutes before the meeting.
FROZEN = datetime(2026, 12, 2, 9, 15, tzinfo=ZoneInfo("Asia/Shanghai"))


class QueryTimer:
    """execute_wrapper: counts the queries and the wall time spent in them; with `slow_ms`, also
    keeps (ms, start of the SQL) of each query that took longer."""

    def __init__(self, slow_ms: float | None = None, *, each: bool = False) -> None:
        self.queries = 0
        self.seconds = 0.0
        self.slow_ms = slow_ms
        self.slow: list[tuple[float, str]] = []
        self.each: list[tuple[float, str]] | None = [] if each else None  # (seconds, SQL) of all

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            took = time.perf_counter() - started
            self.seconds += took
            self.queries += 1
            if self.each is not None:
                self.each.append((took, sql))
            if self.slow_ms is not None and 1000 * took > self.slow_ms:
                self.slow.append((round(1000 * took, 1), sql[:120]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", ""))
    parser.add_argument("--renders", type=int, default=40)
    parser.add_argument("--profile", action="store_true", help="print a cProfile of the renders")
    parser.add_argument("--stats", default="", help="with --profile: save the pstats file here")
    parser.add_argument("--dump", default="", help="write the rendered pages to this directory")
    parser.add_argument(
        "--queries", action="store_true", help="print each query of a refresh with its median time"
    )
    args = parser.parse_args()

    from bench.__main__ import analyze, setup_django

    setup_django(args.database_url or None)
    import time_machine
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import override_settings

    from bench.scenarios import (
        bench_user,
        bulk_venues,
        meeting_draft,
        publish,
        rollback,
        spread_states,
    )
    from vcassure.orgs.models import OrgUnit

    call_command("migrate", verbosity=0)
    if not OrgUnit.objects.exists():
        call_command("seed_demo", verbosity=0, stdout=open(os.devnull, "w"))  # noqa: SIM115
    analyze(connection)
    with (
        rollback(),
        override_settings(
            DEBUG=False,
            ALLOWED_HOSTS=["testserver"],
            # The full page links its static files: no collectstatic manifest here.
            STORAGES={
                "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
                "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
            },
        ),
        time_machine.travel(FROZEN, tick=False),
    ):
        user = bench_user()
        meeting = meeting_draft(user, bulk_venues(2000), starts_in=timedelta(minutes=45))
        publish(user, meeting)
        spread_states(meeting)
        analyze(connection)
        client = Client()
        client.force_login(user)
        live = f"/meetings/{meeting.pk}/dashboard/"
        poll = f"{live}?unit={meeting.org_unit_id}&poll=1"  # what the page's 5-second poll asks
        county = OrgUnit.objects.filter(level="county").order_by("code").first()
        township = OrgUnit.objects.filter(level="township").order_by("code").first()
        pages = {
            "live": (poll, True),
            "live_county": (f"{live}?unit={county.pk}&poll=1", True),
            "live_township": (f"{live}?unit={township.pk}&poll=1", True),
            "screen_live": (f"{live}?screen=1&unit={meeting.org_unit_id}&poll=1", True),
            "page": (live, False),
        }

        def get(url: str, htmx: bool) -> bytes:
            response = client.get(url, **({"HTTP_HX_REQUEST": "true"} if htmx else {}))
            assert response.status_code == 200, (url, response.status_code)
            return response.content

        for name, (url, htmx) in pages.items():
            content = get(url, htmx)  # also warms the templates
            if args.dump:
                Path(args.dump).mkdir(parents=True, exist_ok=True)
                Path(args.dump, f"{name}.html").write_bytes(content)
        # The refreshes themselves run on a moving clock, 45 minutes before the meeting as above.
        with time_machine.travel(FROZEN, tick=True):
            cpu, wall, db = [], [], []
            timer = QueryTimer(each=args.queries)
            with connection.execute_wrapper(timer):
                for _ in range(args.renders):
                    before_q, before_db = timer.queries, timer.seconds
                    c0, w0 = time.process_time(), time.perf_counter()
                    get(poll, True)
                    cpu.append(time.process_time() - c0)
                    wall.append(time.perf_counter() - w0)
                    db.append(timer.seconds - before_db)
                    queries = timer.queries - before_q
            if args.profile:
                profiler = cProfile.Profile()
                profiler.enable()
                for _ in range(args.renders):
                    get(poll, True)
                profiler.disable()
    ms = lambda xs: f"p50 {statistics.median(xs) * 1000:.1f} ms, min {min(xs) * 1000:.1f}"  # noqa: E731
    print(f"database: {connection.vendor}; load average: {Path('/proc/loadavg').read_text()}")
    print(f"{args.renders} refreshes of the live partial, {queries} queries each")
    print(f"  CPU (process_time): {ms(cpu)}")
    print(f"  wall:               {ms(wall)}")
    print(f"  in the database:    {ms(db)}")
    if timer.each:
        print_queries(timer.each, queries, full=bool(os.environ.get("BENCH_FULL_SQL")))
    if args.profile:
        if args.stats:
            profiler.dump_stats(args.stats)
        stats = pstats.Stats(profiler).strip_dirs()
        stats.sort_stats("tottime").print_stats(35)
        stats.sort_stats("cumulative").print_stats(60)


def print_queries(each: list[tuple[float, str]], per_refresh: int, *, full: bool = False) -> None:
    """Each query of a refresh (the refreshes all run the same ones, in the same order) with its
    median time over the refreshes, slowest first."""
    by_position: dict[int, list[float]] = {}
    sql_of: dict[int, str] = {}
    for i, (took, sql) in enumerate(each):
        by_position.setdefault(i % per_refresh, []).append(took)
        sql_of.setdefault(i % per_refresh, sql)
    rows = sorted(by_position.items(), key=lambda kv: -statistics.median(kv[1]))
    print("  queries of a refresh, median ms:")
    for position, times in rows:
        sql = " ".join(sql_of[position].split())
        print(
            f"    {statistics.median(times) * 1000:6.2f}  #{position}  {sql if full else sql[:150]}"
        )


if __name__ == "__main__":
    main()

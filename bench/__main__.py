"""`python -m bench` (make bench): builds the demo province in a fresh database and measures the
SPEC §4 scenarios, each as the median of several runs and as a ratio to a bare baseline measured
in the same run. Prints a table and writes bench/results/latest.json."""

import argparse
import json
import os
import platform
import secrets
import statistics
import sys
import time
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"


def setup_django(database_url: str | None) -> None:
    from bench.workdir import bench_environment, fresh_bench_var_dir

    # Its own files, fresh each run: never the database or queue of `make run` in var/.
    os.environ.update(bench_environment(fresh_bench_var_dir(), database_url))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
    # The production server of the acknowledgement burst must check the links this process signs.
    os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(64))
    # A personal channel must be configured for publishing to write every person's delivery row;
    # nothing is sent during the benchmark (no worker runs).
    os.environ.setdefault("SMS_GATEWAY_URL", "http://127.0.0.1:9/sms")
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    import django

    django.setup()


def analyze(connection) -> None:
    """Up-to-date planner statistics, as a database in service has them (autovacuum keeps them so):
    without this, a freshly seeded PostgreSQL plans with empty tables, and autovacuum's own ANALYZE
    lands in the middle of a measurement."""
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def timed(fn, repeat: int) -> list[float]:
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - started)
    return samples


def scenario_publish(n_venues: int, repeat: int) -> dict:
    """Publish a meeting of n branch venues (dispatch, digests and every personal notice and delivery
    written in one transaction) against the bare
    baseline: bulk-inserting n rows of the same size in one transaction."""
    from django.db import transaction
    from django.test.utils import override_settings

    from bench.scenarios import bench_user, bulk_venues, meeting_draft, publish, rollback

    user = bench_user()
    venue_ids = bulk_venues(n_venues)
    publish_samples = []

    def run_publish():
        # DEBUG off as in production: with it on, Django keeps every statement's SQL text.
        with rollback(), override_settings(DEBUG=False):
            meeting = meeting_draft(user, venue_ids)
            started = time.perf_counter()
            publish(user, meeting)
            publish_samples.append(time.perf_counter() - started)

    def run_baseline():
        from vcassure.core.models import AuditEvent

        with rollback(), transaction.atomic():
            AuditEvent.objects.bulk_create(
                [
                    AuditEvent(action="bench", object_type="x", object_id=str(i))
                    for i in range(n_venues)
                ],
                batch_size=500,
            )

    for _ in range(repeat):
        run_publish()
    baseline = timed(run_baseline, repeat)
    median = statistics.median(publish_samples)
    base = statistics.median(baseline)
    return {
        "scenario": f"publish_{n_venues}",
        "median_s": round(median, 3),
        "baseline_median_s": round(base, 3),
        "ratio": round(median / base, 1) if base else None,
        "samples_s": [round(s, 3) for s in publish_samples],
        "target": "≤ 1 s for 2,000 venues" if n_venues >= 2000 else "",
        "meets_target": median <= 1.0 if n_venues >= 2000 else None,
    }


def scenario_sweeper(n_timers: int, repeat: int) -> dict:
    """The deadline sweeper over n open timers, 1 % of them due: scan and escalate every due one
    (rung 1 re-notifies by SMS). Baseline: one indexed COUNT over the same table."""
    from django.db import connection

    from bench.scenarios import open_timers, rollback
    from vcassure.notifications.escalation import escalations_process_due
    from vcassure.notifications.models import Notification

    samples, baseline, escalated = [], [], 0
    for _ in range(repeat):
        with rollback():
            due = open_timers(n_timers, 0.01)
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("ANALYZE notifications_notification")
            started = time.perf_counter()
            escalated = 0
            while True:
                climbed = escalations_process_due()
                escalated += climbed
                if not climbed:
                    break
            samples.append(time.perf_counter() - started)
            started = time.perf_counter()
            Notification.objects.filter(acknowledged_at__isnull=True).count()
            baseline.append(time.perf_counter() - started)
            assert escalated == due, (escalated, due)
    median, base = statistics.median(samples), statistics.median(baseline)
    return {
        "scenario": f"sweeper_{n_timers // 1000}k",
        "median_s": round(median, 3),
        "baseline_median_s": round(base, 3),
        "ratio": round(median / base, 1) if base else None,
        "samples_s": [round(s, 3) for s in samples],
        "escalated": escalated,
        "target": "≤ 1 s",
        "meets_target": median <= 1.0,
    }


def percentile(samples: list[float], p: int) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))]


def scenario_dashboard(n_venues: int, repeat: int) -> dict:
    """The live dashboard of a published n-venue meeting with a realistic spread of states: its
    live partial (the 5-second HTMX refresh) rendered through Django's test client, with DEBUG off
    as in production. Baseline: a bare Django template rendering the same n rows as a table."""
    from datetime import timedelta

    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, override_settings

    from bench.scenarios import (
        bench_user,
        bulk_venues,
        meeting_draft,
        publish,
        rollback,
        spread_states,
    )

    # The full page links its static files by their hashed names, as in production: the bench's
    # own (fresh) static directory needs the manifest.
    call_command("collectstatic", interactive=False, verbosity=0)
    user = bench_user()
    venue_ids = bulk_venues(n_venues)
    renders, baseline_renders = 40 * repeat, 5 * repeat
    with (
        rollback(),
        override_settings(
            ROOT_URLCONF="bench.scenarios", DEBUG=False, ALLOWED_HOSTS=["testserver"]
        ),
    ):
        meeting = meeting_draft(user, venue_ids, starts_in=timedelta(minutes=45))
        publish(user, meeting)
        spread = spread_states(meeting)
        analyze(connection)  # the 2,000 new tasks counted, as autovacuum would soon after a publish
        client = Client()
        client.force_login(user)
        live = f"/meetings/{meeting.pk}/dashboard/"
        # What the page's 5-second poll asks for (hx-get="{{ live_url }}&poll=1"): a background
        # poll, which leaves the session's idle clock (and its row) alone.
        poll = f"{live}?unit={meeting.org_unit_id}&poll=1"
        bare = f"/bench/rows/{meeting.pk}/"

        def get(url, **headers):
            response = client.get(url, **headers)
            assert response.status_code == 200, (url, response.status_code)
            return response

        get(poll, HTTP_HX_REQUEST="true"), get(live), get(bare)  # warm caches and templates
        with CaptureQueriesContext(connection) as ctx:
            size = len(get(poll, HTTP_HX_REQUEST="true").content)
        queries = len(ctx.captured_queries)
        # The same render for a 20-venue meeting must cost the same number of queries.
        small = meeting_draft(user, venue_ids[:20], starts_in=timedelta(hours=6))
        publish(user, small)
        spread_states(small)
        small_poll = f"/meetings/{small.pk}/dashboard/?unit={small.org_unit_id}&poll=1"
        get(small_poll, HTTP_HX_REQUEST="true")
        with CaptureQueriesContext(connection) as ctx:
            get(small_poll, HTTP_HX_REQUEST="true")
        small_queries = len(ctx.captured_queries)
        samples = timed(lambda: get(poll, HTTP_HX_REQUEST="true"), renders)
        page_samples = timed(lambda: get(live), max(5, renders // 8))
        baseline = timed(lambda: get(bare), baseline_renders)
        baseline_size = len(get(bare).content)
    ms = [s * 1000 for s in samples]
    base_ms = [s * 1000 for s in baseline]
    p50, p99 = statistics.median(ms), percentile(ms, 99)
    base_p50 = statistics.median(base_ms)
    return {
        "scenario": f"dashboard_{n_venues}",
        "median_s": round(p50 / 1000, 4),
        "baseline_median_s": round(base_p50 / 1000, 4),
        "ratio": round(p50 / base_p50, 2) if base_p50 else None,
        "p50_ms": round(p50, 1),
        "p99_ms": round(p99, 1),
        "renders": renders,
        "queries_per_render": queries,
        "queries_per_render_20_venues": small_queries,
        "bytes": size,
        "full_page_p50_ms": round(statistics.median(page_samples) * 1000, 1),
        "baseline_p50_ms": round(base_p50, 1),
        "baseline_p99_ms": round(percentile(base_ms, 99), 1),
        "baseline_renders": baseline_renders,
        "baseline_bytes": baseline_size,
        "states": spread,
        "target": "p99 ≤ 150 ms, constant queries",
        "meets_target": p99 <= 150 and queries == small_queries,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", ""))
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--only", default="", help="comma-separated scenario names")
    parser.add_argument(
        "--scale",
        type=int,
        default=0,
        help="N provinces on PostgreSQL instead of the demo province (bench/scale.py)",
    )
    parser.add_argument(
        "--ack-pool",
        action="store_true",
        help="with --scale: serve the acknowledgement links from a gunicorn pool of their own, "
        "as deploy/ does (vcassure-links.service)",
    )
    parser.add_argument(
        "--no-service-groups",
        action="store_true",
        help="with --scale: leave every process in the machine's default scheduling instead of "
        "CPU groups weighted as deploy/'s units (bench/service_groups.py)",
    )
    args = parser.parse_args()
    setup_django(args.database_url or None)
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    if args.scale:
        from bench.scale import scenario_scale

        scenario_scale(
            args.scale,
            os.environ["DATABASE_URL"],
            ack_pool=args.ack_pool,
            cgroups=not args.no_service_groups,
        )
        return
    from vcassure.orgs.models import OrgUnit

    if not OrgUnit.objects.exists():
        call_command("seed_demo", verbosity=0, stdout=open(os.devnull, "w"))  # noqa: SIM115
    analyze(connection)
    results = []
    only = {s for s in args.only.split(",") if s}
    for n in (500, 2000):
        name = f"publish_{n}"
        if not only or name in only:
            results.append(scenario_publish(n, args.repeat))
    if not only or "dashboard_2000" in only:
        results.append(scenario_dashboard(2000, args.repeat))
    if not only or "dashboard_http_2000" in only:
        from bench.dashboard_http import scenario_dashboard_http

        results.append(
            scenario_dashboard_http(2000, 40 * args.repeat, database_url=os.environ["DATABASE_URL"])
        )
    if not only or "sweeper_100k" in only:
        results.append(scenario_sweeper(100_000, min(args.repeat, 3)))
    if not only or "fanout" in only:
        from bench.fanout import scenario_fanout

        results.append(scenario_fanout(min(args.repeat, 3)))
    if not only or only & {
        "report_2000",
        "report_page_2000",
        "report_xlsx_2000",
        "report_pdf_2000",
    }:
        from bench.reports import scenario_report

        results += scenario_report(2000, args.repeat)
    if not only or "kpis_200" in only:
        from bench.reports import scenario_kpis

        results.append(scenario_kpis(200, args.repeat))
    if not only or "probes_4000" in only:
        from bench.probes import scenario_probes

        results.append(scenario_probes(2000, min(args.repeat, 3)))
    if not only or "ack_burst" in only:
        from bench.ack_burst import scenario_ack_burst

        results.append(
            scenario_ack_burst(2000, min(args.repeat, 3), database_url=os.environ["DATABASE_URL"])
        )
    if not only or "duty_roster_45k" in only:
        from bench.duty import scenario_duty

        results.append(scenario_duty(min(args.repeat, 3)))
    report = {
        "database": connection.vendor,
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "repeat": args.repeat,
        "at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "results": results,
    }
    RESULTS.mkdir(exist_ok=True)
    latest = RESULTS / "latest.json"
    if (
        only and latest.exists() and latest.stat().st_size
    ):  # a partial run updates its scenarios only
        previous = json.loads(latest.read_text())
        if previous.get("database") == connection.vendor:
            ran = {r["scenario"] for r in results}
            report["results"] = [
                r for r in previous.get("results", []) if r["scenario"] not in ran
            ] + results
    latest.write_text(json.dumps(report, indent=2, ensure_ascii=False))
    print(
        f"\nVC Assure benchmarks on {connection.vendor}, {os.cpu_count()} cores, median of {args.repeat}"
    )
    print(f"{'scenario':<16}{'median':>10}{'baseline':>10}{'ratio':>8}  target")
    for r in results:
        verdict = "" if r["meets_target"] is None else ("OK" if r["meets_target"] else "MISSED")
        print(
            f"{r['scenario']:<16}{r['median_s']:>9.3f}s{r['baseline_median_s']:>9.3f}s{r['ratio']:>7}x  {r['target']} {verdict}"
        )
        if r["scenario"].startswith("ack_burst"):
            print(
                f"{'':<16}{r['rps']} req/s (bare one-INSERT view: {r['baseline_rps']} req/s, {r['ratio']:.0%}), "
                f"p50 {r['p50_ms']} ms, p99 {r['p99_ms']} ms (bare: p50 {r['baseline_p50_ms']} ms, "
                f"p99 {r['baseline_p99_ms']} ms); {r['clients']} clients, {r['gunicorn_workers']} gunicorn sync workers"
            )
        elif r["scenario"] == "duty_roster_45k":
            print(
                f"{'':<16}{r['shifts']} shifts, {r['covered']} covered by the suggester; county grid "
                f"({r['grid'].get('venues')} venues) p50 {r['grid_p50_ms']} ms, p99 {r['grid_p99_ms']} ms "
                f"(bare template of the same cells: {r['grid_baseline_p50_ms']} ms)"
            )
        elif r["scenario"].startswith("dashboard_http"):
            print(
                f"{'':<16}over HTTP from gunicorn ({r['gunicorn_workers']} sync workers, {r['clients']} clients): "
                f"p50 {r['p50_ms']} ms, p90 {r['p90_ms']} ms, p99 {r['p99_ms']} ms, max {r['max_ms']} ms over {r['renders']} refreshes; bare table "
                f"p50 {r['baseline_p50_ms']} ms, p99 {r['baseline_p99_ms']} ms"
            )
        elif "p99_ms" in r:
            print(
                f"{'':<16}live partial p50 {r['p50_ms']} ms, p99 {r['p99_ms']} ms over {r['renders']} renders, "
                f"{r['queries_per_render']} queries (20 venues: {r['queries_per_render_20_venues']}), {r['bytes'] // 1024} KiB; "
                f"full page p50 {r['full_page_p50_ms']} ms"
            )
            print(
                f"{'':<16}bare {r['baseline_bytes'] // 1024} KiB table of the same rows: p50 {r['baseline_p50_ms']} ms, "
                f"p99 {r['baseline_p99_ms']} ms over {r['baseline_renders']} renders"
            )


if __name__ == "__main__":
    main()

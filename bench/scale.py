"""`python -m bench --scale N` (PostgreSQL only): N provinces (bench/scale_data.py; ten: ~40,000
venues, ~20,000 staff), then, against the production server (gunicorn, 2 sync workers) and two
Huey consumers pointed at the local fake providers:

1. three province-wide meetings (the government system of three provinces, ~1,900 venues each)
   published at once by three processes; baseline: three processes bulk-inserting as many rows;
2. their fan-outs (sent by the consumers), an acknowledgement burst on their personal links (32
   clients) and their dashboards polled by the provinces' dispatchers, all at the same time;
   baselines: the same dashboards polled idle, the bare one-INSERT view's burst and as many bare
   POSTs to the fake SMS gateway;
3. the deadline sweeper over 1,000,000 open timers (1 % due); baseline: one indexed COUNT;
4. the peak RSS of every web and worker process, and EXPLAIN (ANALYZE, BUFFERS) of the hot
   queries (bench/explain.py), saved in bench/results/.

Each figure is printed with its target and its bare baseline; the JSON goes to
bench/results/scale<N>.json."""

import contextlib
import json
import os
import time

from bench.scale_publish import baseline_work, concurrently, meeting_drafts, publish_work

TARGETS = {"publish_s": 10, "sweeper_s": 5, "dashboard_p99_ms": 150, "rss_mb": 500}
ACKS = 2000
MEETINGS = 3


def ack_links(meetings: list, n: int) -> tuple[list[str], list[int]]:
    """n personal acknowledgement links, spread evenly over the meetings; and their notices' ids."""
    from vcassure.notifications import tokens
    from vcassure.notifications.models import Notification

    links, ids = [], []
    for i, meeting in enumerate(meetings):
        share = n // len(meetings) + (i < n % len(meetings))
        notices = (
            Notification.objects.filter(
                topic=f"meeting:{meeting.pk}", requires_ack=True, kind="published"
            )
            .order_by("id")
            .only("id", "recipient_id", "token_nonce")[:share]
        )
        for x in notices:
            links.append(
                tokens.make_token(
                    notification_id=x.pk, staff_id=x.recipient_id, nonce=x.token_nonce
                )
            )
            ids.append(x.pk)
    assert len(links) == n, (len(links), n)
    return links, ids


@contextlib.contextmanager
def fakes_wired():
    """The fake providers started, the channels and every IM group's robot pointed at them; the
    settings and groups put back and the fakes stopped on the way out. Unlike the fan-out
    scenario, the queue is left alone: the consumers are woken as in production."""
    from django.conf import settings

    from bench.fakes import GROUP_FIELDS, FakesProcess, wire
    from bench.fanout import EXTRA_SETTINGS
    from vcassure.home.demo import CHANNEL_SETTINGS
    from vcassure.notifications.channels.base import reset_channels
    from vcassure.notifications.models import ImGroup

    saved = {name: getattr(settings, name) for name in (*CHANNEL_SETTINGS, *EXTRA_SETTINGS)}
    groups = list(ImGroup.objects.all())
    fakes = FakesProcess()  # the providers are other machines: not this process's threads
    try:
        wire(fakes)
        yield fakes
    finally:
        fakes.stop()
        for name, value in saved.items():
            setattr(settings, name, value)
        reset_channels()
        ImGroup.objects.bulk_update(groups, GROUP_FIELDS)


def fanout_outcome(fakes, topics: list[str]) -> dict:
    from collections import Counter

    from django.db.models import Count

    from vcassure.notifications.models import Delivery

    mine = Delivery.objects.filter(topic__in=topics)
    status = dict(mine.values_list("status").annotate(n=Count("id")).values_list("status", "n"))
    sent = Counter(
        dict(
            mine.filter(status="sent")
            .values_list("channel")
            .annotate(n=Count("id"))
            .values_list("channel", "n")
        )
    )
    bodies = fakes.message_sizes()
    return {
        "deliveries": sum(status.values()),
        "by_status": status,
        "sent": sum(sent.values()),
        "sent_by_channel": dict(sorted(sent.items())),
        "accepted_by_fakes": sum(fakes.accepted().values()),
        "deferred_by_group_rate_limit": mine.filter(
            status="queued", group__isnull=False, attempts=0
        ).count(),
        "mean_request_bytes": round(sum(bodies) / len(bodies)) if bodies else 300,
        "fake_errors": fakes.errors()[:3],
    }


def settle_acks(ids: list[int], timeout: float = 180) -> dict:
    from vcassure.notifications.models import Notification

    started = time.perf_counter()
    while Notification.objects.filter(pk__in=ids, ack_effects_pending=True).exists():
        if time.perf_counter() - started > timeout:
            break
        time.sleep(0.2)
    return {
        "effects_settled_after_s": round(time.perf_counter() - started, 2),
        "notices_acknowledged": Notification.objects.filter(
            pk__in=ids, acknowledged_at__isnull=False
        ).count(),
        "effects_pending": Notification.objects.filter(
            pk__in=ids, ack_effects_pending=True
        ).count(),
    }


def run_meetings(
    database_url: str, *, ack_pool: bool, made: list, groups=None
) -> tuple[dict, list, list]:
    """Publish, fan out, acknowledge and watch three province-wide meetings at once. With ack_pool
    the personal links are served by a second gunicorn of their own (2 workers), as the reverse
    proxy can route /ack/ and /api/ack/, so a burst does not queue the dispatchers' pages. With
    `groups` (bench/service_groups.py) each service runs in a CPU group weighted as its unit: the
    publishes in the web pool's (a dispatcher's request), the links pool in its own."""
    from bench.ack_burst import gunicorn_server
    from bench.fanout import baseline_posts
    from bench.scale_load import RssSampler, dashboard_targets, idle_baselines, run_load
    from bench.workdir import bench_var_dir

    users, meetings = meeting_drafts(MEETINGS)
    made += meetings  # for the caller to delete, whatever happens next
    topics = [f"meeting:{m.pk}" for m in meetings]
    venues = [m.venues.count() for m in meetings]
    out: dict = {"venues_per_meeting": venues}
    with fakes_wired() as fakes:
        env = {
            **fakes.settings(),
            "OUTBOUND_URL_ALLOWLIST": "127.0.0.1,localhost",
            # The bench's own var dir, whose queue file this process writes: a publish wakes the
            # consumers as in production.
            "VCASSURE_VAR_DIR": str(bench_var_dir()),
        }
        sampler = RssSampler()
        with contextlib.ExitStack() as stack:
            base = stack.enter_context(
                gunicorn_server(
                    database_url=database_url,
                    workers=2,
                    consumers=2,
                    extra_env=env,
                    groups=groups,
                )
            )
            acks_base = base
            if ack_pool:
                acks_base = stack.enter_context(
                    gunicorn_server(
                        database_url=database_url,
                        workers=2,
                        extra_env=env,
                        groups=groups,
                        group="links",
                    )
                )
            out["web_pools"] = 2 if ack_pool else 1
            sampler.start()
            targets = dashboard_targets(meetings, users)
            started = time.perf_counter()
            out["publish"] = concurrently(
                publish_work,
                [(m.pk, u.pk) for m, u in zip(meetings, users, strict=True)],
                enter=groups.preexec("web") if groups else None,
            )
            published_at = time.perf_counter()
            out["publish_wall_s"] = round(published_at - started, 2)
            links, ids = ack_links(meetings, ACKS)
            out["load"] = run_load(base, acks_base, topics, targets, links, published_at)
            out["acks_applied"] = settle_acks(ids)
            out["idle"] = idle_baselines(base, acks_base, targets, ACKS)
            sampler.stop.set()
            sampler.join()
        out["rss"] = sampler.result()
        out["fanout"] = fanout_outcome(fakes, topics)
        out["fanout"]["baseline_posts_s"] = round(
            baseline_posts(
                fakes.baseline_url, out["fanout"]["sent"], out["fanout"]["mean_request_bytes"]
            ),
            2,
        )
    out["publish_baseline"] = concurrently(baseline_work, [(max(venues),)] * MEETINGS)
    return out, meetings, users


# The planner's cost of a random page read: 4 (the default) assumes spinning disks; 1.1 is the usual
# setting when the hot tables sit in RAM or on SSD. At 4 the dashboard's device check read the
# whole equipment table (77,000 rows) five times per refresh; see README, "--scale 10".
RANDOM_PAGE_COST = os.environ.get("BENCH_RANDOM_PAGE_COST", "1.1")


def plan_settings(connection) -> None:
    """The bench database set up as the README's runbook sets up production's."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_database()")
        name = cursor.fetchone()[0]
        cost = float(RANDOM_PAGE_COST)
        cursor.execute(f'ALTER DATABASE "{name}" SET random_page_cost = {cost}')
        cursor.execute(f"SET random_page_cost = {cost}")


def vacuum_analyze(connection, *tables: str) -> None:
    """VACUUM (ANALYZE) the tables (all of them without names), as autovacuum keeps a database in
    service. The bench needs it said: its own ANALYZE cancels an autovacuum under way, and the
    sweeper's million timers, written and rolled back each run, left the notices' table with 13
    million dead rows (10 GB) after a dozen runs, which the acknowledgements' lookups then waded
    through during the load (310 ms for one, against a few ms on a clean table). At the start of a
    run it also covers the build's fresh tables, which autovacuum would otherwise visit mid-load."""
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM (ANALYZE) {', '.join(tables)}")


def scenario_scale(
    n: int, database_url: str, *, ack_pool: bool = False, cgroups: bool = True
) -> dict:
    from django.db import connection

    from bench.__main__ import RESULTS, analyze
    from bench.explain import write_plans
    from bench.scale_data import build_provinces
    from bench.scale_report import figures, print_report
    from bench.scale_sweep import explain_web, sweeper
    from bench.scenarios import ack_burst_cleanup
    from bench.service_groups import placed_services

    if connection.vendor != "postgresql":
        raise SystemExit("--scale runs on PostgreSQL only (BENCH_DATABASE_URL=postgres://…)")
    plan_settings(connection)
    started = time.perf_counter()
    built = build_provinces(n)
    built["seconds"] = round(time.perf_counter() - started, 1)
    vacuum_analyze(connection)
    out: dict = {
        "build": built,
        "loadavg": [os.getloadavg()],
        "random_page_cost": float(RANDOM_PAGE_COST),
    }
    meetings: list = []
    try:
        with placed_services(cgroups, connection) as (groups, placed):
            out["service_groups"] = placed
            run, meetings, users = run_meetings(
                database_url, ack_pool=ack_pool, made=meetings, groups=groups
            )
        out.update(run)
        analyze(connection)
        out["loadavg"].append(os.getloadavg())
        out["sweeper"], out["explain"] = sweeper(
            1_000_000, explain_also=lambda: explain_web(meetings, users)
        )
        out["loadavg"].append(os.getloadavg())
    finally:
        if meetings:
            ack_burst_cleanup([m.pk for m in meetings])
        # The sweeper's rolled-back million and the meetings just deleted: gone before the next run.
        vacuum_analyze(
            connection,
            "notifications_notification",
            "notifications_delivery",
            "meetings_supporttask",
            "meetings_tasktransition",
        )
    out["loadavg"] = [[round(x, 2) for x in la] for la in out["loadavg"]]
    out["figures"] = figures(out)
    RESULTS.mkdir(exist_ok=True)
    write_plans(RESULTS / f"scale{n}{'_ack_pool' if ack_pool else ''}_explain.txt", out["explain"])
    report = {
        **out,
        "explain": [{k: v for k, v in p.items() if k != "plan"} for p in out["explain"]],
    }
    report["at"] = time.strftime("%Y-%m-%dT%H:%M:%S%z")
    text = json.dumps(report, indent=2, ensure_ascii=False, default=str)
    name = f"scale{n}{'_ack_pool' if ack_pool else ''}"
    (RESULTS / f"{name}.json").write_text(text)
    # And one file per run, for `python -m bench.scale_pool` to read several runs together.
    (RESULTS / f"{name}-{time.strftime('%Y%m%dT%H%M%S')}.json").write_text(text)
    print_report(out)
    return report

"""The soak scenario (SPEC §4, issue 18; run by .ci/run): production mode under a steady load while
the platform's own parts fail, bounded to a few minutes.

Production mode (scripts/prod-up.sh: gunicorn with 2 workers, 2 Huey consumers) runs on a
PostgreSQL and a Redis of its own (ports 54339 and 6397, started here with scripts/pg-local.sh and
scripts/redis-local.sh, stopped at the end), because this scenario restarts the one and flushes the
other. Every personal message goes to a local fake SMS gateway (tests/fakes) that deduplicates on the
delivery's ref, as prod-scenario.py's does.

Load, for LOAD_SECONDS, over HTTP against gunicorn (API tokens of the demo's administrator):
  - publishing: a meeting of 20 venues created and published every few seconds;
  - acknowledgements: every personal link that reaches the gateway is POSTed (/api/ack/<token>),
    a few seconds after it arrives, retried until it is answered;
  - field steps: venue tasks of published meetings are checked in (/api/tasks/<id>/check-in);
  - escalations: two batches of overdue notices (prod-scenario.py's people and ladder), the second
    queued just before Redis is flushed, so their timers live only in the database.
Faults, on a fixed timetable during the load: consumer 1 killed (SIGKILL) and restarted; PostgreSQL
restarted with `pg_ctl restart -m immediate`; Redis flushed (FLUSHALL: the queued tasks are lost);
both consumers killed and restarted; PostgreSQL restarted again.

Then, with no help from this script (no sweep is asked for: the consumers' own minute sweeps must
find what the flushed queue lost), it waits until every delivery is settled and checks:
  - 0 notifications lost: every delivery row is "sent", and the gateway accepted each one;
  - 0 sent twice: exactly one successful attempt per delivery, no ref accepted twice by the gateway
    (the repeats it dropped after the kills are reported);
  - 0 escalations doubled: each overdue notice climbed each rung exactly once;
  - every acknowledgement applied: each link answered 200 has its notice acknowledged;
  - field steps applied: each check-in answered 200 has its task checked in;
  - no 5xx (and no refused connection) outside the seconds PostgreSQL was down (from the restart
    until it accepts connections again, plus GRACE_SECONDS).
Prints the counts and "soak-scenario: 1 passed, 0 failed" (or 0 passed, 1 failed); exit status 0
when every check holds. Usage: .venv/bin/python scripts/soak-scenario.py
"""

import importlib.util
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

_spec = importlib.util.spec_from_file_location(
    "prod_scenario", ROOT / "scripts" / "prod-scenario.py"
)
assert _spec and _spec.loader
ps = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(ps)

from soak_load import (  # noqa: E402  (scripts/, beside this file)
    Load,
    Outages,
)

from tests.fakes import FakeDingTalk, FakeSmsGateway, FakeWeCom  # noqa: E402

PGPORT = int(os.environ.get("SOAK_PGPORT", "54339"))
REDIS_PORT = int(os.environ.get("SOAK_REDIS_PORT", "6397"))
PGDATA = os.environ.get(
    "SOAK_PGDATA",
    f"/tmp/vcassure-pg-{PGPORT}-soak",  # noqa: S108 - pg-local.sh's own place
)
LOAD_SECONDS = int(os.environ.get("SOAK_LOAD_SECONDS", "120"))
SETTLE_SECONDS = 200  # the minute sweeps plus the outbox lease, several times over
TOTAL_SECONDS = 570  # the scenario gives up (and fails) past this: CI's bound is 10 minutes
ESCALATION_BATCH = (120, 30)  # notices, of which overdue
LEASE_SECONDS = 15


def log(message: str) -> None:
    print(f"[soak {time.strftime('%H:%M:%S')}] {message}", flush=True)


def script(name: str, *args: str, env: dict[str, str]) -> str:
    out = subprocess.run(
        ["bash", str(ROOT / "scripts" / name), *args],
        env=env,
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    )
    return out.stdout.strip()


def pg_restart(env: dict[str, str], outages: Outages) -> None:
    started = time.monotonic()
    script("pg-local.sh", "restart", env={**env, "PG_RESTART_MODE": "immediate"})
    outages.windows.append((started, time.monotonic()))
    log(f"PostgreSQL restarted (-m immediate): down for {time.monotonic() - started:.1f} s")


def redis_flush() -> None:
    subprocess.run(
        ["redis-cli", "-p", str(REDIS_PORT), "FLUSHALL"], check=True, capture_output=True
    )
    log("Redis flushed (FLUSHALL): every queued task is gone")


def main() -> int:
    started = time.monotonic()
    run_dir = Path(tempfile.mkdtemp(prefix="vcassure-soak-"))
    service_env = {
        **os.environ,
        "PGPORT": str(PGPORT),
        "PGDATA": PGDATA,
        "REDIS_PORT": str(REDIS_PORT),
    }
    gateway = FakeSmsGateway(dedupe_ref=True, delay_seconds=0.01).start()
    # Publishing needs every unit covered by two IM groups: their robots post to these fakes.
    dingtalk, wecom = FakeDingTalk().start(), FakeWeCom().start()
    prod = None
    failures: list[str] = []
    try:
        # A fresh cluster each run: the checks count every row of the database.
        script("pg-local.sh", "stop", env=service_env)
        if PGDATA.endswith("-soak"):
            subprocess.run(["rm", "-rf", PGDATA], check=True)
        database_url = script("pg-local.sh", "start", env=service_env)
        redis_url = script("redis-local.sh", "start", env=service_env)
        port = ps.free_port()
        env = {
            **service_env,
            "DATABASE_URL": database_url,
            "REDIS_URL": redis_url,
            "PROD_RUN_DIR": str(run_dir),
            "PORT": str(port),
            "WEB_CONCURRENCY": "2",
            "HUEY_CONSUMERS": "2",
            "SMS_GATEWAY_URL": gateway.send_url,
            "PERSONAL_CHANNEL_ORDER": "sms",
            "EMAIL_URL": "",
            "OA_WEBHOOK_URL": "",
            "DINGTALK_APP_KEY": "",
            "WECOM_CORP_ID": "",
            "ALIYUN_ACCESS_KEY_ID": "",
            "OUTBOX_LEASE_SECONDS": str(LEASE_SECONDS),
            "LOG_LEVEL": "WARNING",
            "OUTBOUND_URL_ALLOWLIST": "127.0.0.1,localhost",
            "PUBLIC_BASE_URL": f"http://127.0.0.1:{port}",
        }
        os.environ.update(env)
        prod = ps.ProdMode(env)
        prod.up()
        ps.setup_django(prod)
        try:
            failures = soak(prod, env, gateway, (dingtalk, wecom), started)
        except Exception as exc:  # the scenario itself broke: a failure, with its reason
            import traceback

            traceback.print_exc()
            failures = [f"the scenario stopped: {exc!r}"]
    finally:
        if prod is not None:
            prod.down()
        gateway.stop()
        dingtalk.stop()
        wecom.stop()
        script("redis-local.sh", "stop", env=service_env)
        script("pg-local.sh", "stop", env=service_env)
    took = time.monotonic() - started
    for failure in failures[:30]:
        log(f"FAILED {failure}")
    log(
        f"{'all checks passed' if not failures else f'{len(failures)} checks failed'} in {took:.0f} s"
    )
    print(f"soak-scenario: {1 if not failures else 0} passed, {1 if failures else 0} failed")
    return 1 if failures else 0


def robots_wire(dingtalk, wecom) -> int:
    """Every IM group of the demo posts to a robot of its own on the local fakes."""
    from vcassure.notifications.models import ImGroup

    groups = list(ImGroup.objects.all())
    for group in groups:
        if group.platform == "dingtalk":
            robot = dingtalk.add_robot(secret=FakeDingTalk.new_secret())
            group.webhook_url, group.secret = robot.webhook_url, robot.secret
        else:
            group.webhook_url, group.secret = wecom.add_robot().webhook_url, ""
        group.paused_until, group.needs_attention, group.last_error = None, False, ""
    ImGroup.objects.bulk_update(
        groups, ["webhook_url", "secret", "paused_until", "needs_attention", "last_error"]
    )
    return len(groups)


def soak(prod, env: dict[str, str], gateway: FakeSmsGateway, robots, started: float) -> list[str]:
    from django.core.management import call_command
    from django.db import connection

    from bench.scenarios import bench_user, bulk_venues
    from vcassure.accounts.services import api_token_create
    from vcassure.orgs.models import OrgUnit

    if connection.vendor != "postgresql":
        raise SystemExit("the soak scenario runs on PostgreSQL")
    if not OrgUnit.objects.exists():
        call_command("seed_demo", verbosity=0, stdout=open(os.devnull, "w"))  # noqa: SIM115
    log(f"{robots_wire(*robots)} IM groups pointed at the local fake robots")
    user = bench_user()
    _token, key = api_token_create(user=user, name="soak")
    venues = bulk_venues(200)
    base = f"http://127.0.0.1:{env['PORT']}"
    outages = Outages()
    tag1, tag2 = ps.secrets.token_hex(3), ps.secrets.token_hex(3)
    ps.NOTICES, ps.OVERDUE = ESCALATION_BATCH
    people1 = ps.make_people(tag1)
    people2 = ps.make_people(tag2)
    connection.close()
    load = Load(base, key, gateway, venues)
    load.drill_staff = {p.pk for p in people1 + people2}
    log(f"setup done in {time.monotonic() - started:.0f} s; load for {LOAD_SECONDS} s")

    notices1, overdue1 = ps.queue_notices(tag1, people1)
    load.drill_notices |= set(notices1)
    threads = load.run()
    t0 = time.monotonic()

    def at(second: float) -> None:
        time.sleep(max(0.0, t0 + second - time.monotonic()))

    at(LOAD_SECONDS * 0.12)
    prod.kill_consumer(1)
    at(LOAD_SECONDS * 0.18)
    prod.start_consumer(1)
    at(LOAD_SECONDS * 0.30)
    pg_restart(env, outages)
    at(LOAD_SECONDS * 0.45)
    connection.close()  # this process's connection died with the restart
    notices2, overdue2 = ps.queue_notices(tag2, people2)
    load.drill_notices |= set(notices2)
    redis_flush()
    at(LOAD_SECONDS * 0.60)
    prod.kill_consumer(1)
    prod.kill_consumer(2)
    time.sleep(3)
    prod.start_consumer(1)
    prod.start_consumer(2)
    at(LOAD_SECONDS * 0.75)
    pg_restart(env, outages)
    at(LOAD_SECONDS)
    load.stopped_at = time.monotonic()
    load.stop.set()
    for t in threads:
        t.join(timeout=90)
    log(
        f"load stopped: {len(load.published)} meetings published, {len(load.acked)} links followed, "
        f"{len(load.checked_in)} check-ins"
    )

    from django.db import close_old_connections

    from vcassure.notifications.models import Delivery

    def settled() -> bool:
        try:
            close_old_connections()
            open_rows = Delivery.objects.exclude(status="sent").exists()
            return not open_rows and ps._escalated(overdue1 + overdue2)
        except Exception:  # a connection from before the last restart
            connection.close()
            return False

    budget = min(SETTLE_SECONDS, TOTAL_SECONDS - (time.monotonic() - started))
    try:
        ps.wait_for("every delivery to be sent and every overdue notice escalated", settled, budget)
    except SystemExit as exc:
        log(f"{exc}: {dict(Counter(Delivery.objects.values_list('status', flat=True)))}")
    log(f"settled {time.monotonic() - t0 - LOAD_SECONDS:.0f} s after the load")
    time.sleep(2)
    return verify(load, gateway, outages, [(notices1, overdue1), (notices2, overdue2)])


def verify(load: Load, gateway: FakeSmsGateway, outages: Outages, drills) -> list[str]:
    from django.db.models import Count, Q

    from vcassure.meetings.models import SupportTask
    from vcassure.notifications.models import Delivery, Notification, PhoneCallTask
    from vcassure.notifications.tokens import read_token
    from vcassure.orgs.selectors import dispatch_desk_staff

    failures = list(load.errors)
    deliveries = list(
        Delivery.objects.annotate(ok=Count("attempt_log", filter=Q(attempt_log__ok=True))).values(
            "pk", "status", "ok", "notification_id", "channel"
        )
    )
    lost = [d for d in deliveries if d["status"] != "sent"]
    twice = [d for d in deliveries if d["ok"] > 1]
    none_ok = [d for d in deliveries if d["ok"] == 0]
    refs = Counter(m.get("ref") for m in gateway.messages)
    expected = {f"delivery-{d['pk']}" for d in deliveries if d["channel"] == "sms"}
    never_reached = expected - set(refs)
    accepted_twice = [r for r, n in refs.items() if n > 1]
    if lost or none_ok or never_reached:
        failures.append(
            f"lost: {len(lost)} deliveries not sent ({dict(Counter(d['status'] for d in lost))}), "
            f"{len(none_ok)} without a successful attempt, {len(never_reached)} never reached the gateway"
        )
    if twice or accepted_twice:
        failures.append(
            f"sent twice: {len(twice)} deliveries with several successful attempts, "
            f"{len(accepted_twice)} refs accepted twice by the gateway"
        )

    desk = len(dispatch_desk_staff())
    doubled = 0
    escalated = 0
    for notice_ids, overdue_ids in drills:
        per_notice = Counter(
            d["notification_id"] for d in deliveries if d["notification_id"] in set(notice_ids)
        )
        escalations = Counter(
            Notification.objects.filter(escalates_id__in=notice_ids).values_list(
                "escalates_id", flat=True
            )
        )
        calls = Counter(
            PhoneCallTask.objects.filter(notification_id__in=notice_ids).values_list(
                "notification_id", flat=True
            )
        )
        levels = dict(
            Notification.objects.filter(pk__in=notice_ids).values_list("pk", "escalation_level")
        )
        for pk in notice_ids:
            want = (2, 2 + desk, 1, 4) if pk in set(overdue_ids) else (1, 0, 0, 0)
            got = (per_notice[pk], escalations[pk], calls[pk], levels[pk])
            if got != want:
                doubled += 1
                failures.append(
                    f"notice {pk}: (deliveries, escalations, calls, level) = {got}, expected {want}"
                )
        escalated += len(overdue_ids)

    answered = {t: s for t, s in load.acked.items() if s == 200}
    unanswered = [t for t, s in load.acked.items() if s != 200]
    ack_ids = [read_token(t).notification_id for t in answered]
    applied = Notification.objects.filter(pk__in=ack_ids, acknowledged_at__isnull=False).count()
    if unanswered:
        failures.append(
            f"{len(unanswered)} acknowledgement links never answered 200 ({Counter(load.acked[t] for t in unanswered)})"
        )
    if applied != len(ack_ids):
        failures.append(f"acknowledgements: {len(ack_ids) - applied} answered 200 but not applied")
    checked = SupportTask.objects.filter(
        pk__in=list(load.checked_in), checked_in_at__isnull=False
    ).count()
    if checked != len(load.checked_in):
        failures.append(
            f"check-ins: {len(load.checked_in) - checked} answered 200 but not recorded"
        )

    statuses = Counter(s for _a, _b, _m, _p, s in load.traffic.log)
    bad = [r for r in load.traffic.log if r[4] >= 500 or r[4] == 0]
    outside = [r for r in bad if not outages.covers(r[0], r[1])]
    if outside:
        failures.append(
            f"{len(outside)} 5xx or refused requests outside the database's down time: "
            + ", ".join(f"{m} {p} {s}" for _a, _b, m, p, s in outside[:5])
        )
    down = sum(end - start for start, end in outages.windows)
    log(
        f"requests: {len(load.traffic.log)} ({dict(sorted(statuses.items()))}); 5xx or no answer: "
        f"{len(bad)}, all within the {len(outages.windows)} database restarts ({down:.1f} s down)"
        if not outside
        else f"requests: {len(load.traffic.log)} ({dict(sorted(statuses.items()))}); "
        f"{len(outside)} 5xx outside the database restarts"
    )
    log(
        f"meetings published: {len(load.published)}; deliveries: {len(deliveries)}, lost: "
        f"{len(lost) + len(none_ok)}, sent twice: {len(twice) + len(accepted_twice)} (gateway dropped "
        f"{len(gateway.repeats)} repeated sends of the same ref after the kills); overdue notices: "
        f"{escalated}, escalations doubled or missing: {doubled}; acknowledgements: {len(load.acked)} "
        f"followed, {applied} applied; check-ins: {checked}"
    )
    return failures


if __name__ == "__main__":
    sys.exit(main())

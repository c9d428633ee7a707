"""The production-mode reliability scenario (SPEC §4 Reliability, issue 6; run by .ci/run).

Starts production mode (scripts/prod-up.sh: PostgreSQL, Redis, gunicorn with 2 workers, 2 Huey
consumers) with its personal messages pointed at a local fake SMS gateway started here, then:

1. queues 500 personal notices in one transaction; 50 of them are already 30 minutes past their
   reply deadline, so every rung of the escalation ladder is due (re-notify by SMS → supervisor →
   department head → dispatch desk and a phone-call task);
2. kills both consumers with SIGKILL while they are dispatching, asks for sweeps while none runs,
   restarts them, then kills one again in the middle of the sweeps and restarts it;
3. waits until every delivery row is settled, then checks:
   - 0 lost: every delivery row is "sent" with exactly one successful attempt, and the gateway
     accepted every one of them;
   - 0 duplicated at the gateway: each delivery reached it once (a send repeated after a kill
     carries the same ref, which the gateway drops: the count of such repeats is reported);
   - 0 escalated twice: each overdue notice climbed each rung exactly once (one re-notify SMS,
     one supervisor notice, one department-head notice, one dispatch-desk notice per desk person,
     one phone-call task), and no notice that was not overdue escalated.

Finishes in about a minute or two and stops everything it started. Exit status 0 when every check
holds. Usage: .venv/bin/python scripts/prod-scenario.py (DATABASE_URL / REDIS_URL optional, as for
prod-up.sh; the database must be a PostgreSQL one)."""

import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.fakes import FakeSmsGateway  # noqa: E402

NOTICES, OVERDUE = 500, 50
LEASE_SECONDS = 15  # the outbox lease: how soon a dead worker's claimed deliveries are taken over
DEADLINE_SECONDS = 240


def log(message: str) -> None:
    print(f"[prod-scenario {time.strftime('%H:%M:%S')}] {message}", flush=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ProdMode:
    """scripts/prod-up.sh / prod-down.sh in a run directory of its own."""

    def __init__(self, env: dict[str, str]):
        self.env = env
        self.run_dir = Path(env["PROD_RUN_DIR"])

    def up(self) -> None:
        subprocess.run([str(ROOT / "scripts" / "prod-up.sh")], env=self.env, check=True, cwd=ROOT)

    def down(self) -> None:
        subprocess.run(
            [str(ROOT / "scripts" / "prod-down.sh")], env=self.env, check=False, cwd=ROOT
        )

    def consumer_pid(self, n: int) -> int:
        return int((self.run_dir / f"consumer-{n}.pid").read_text())

    def kill_consumer(self, n: int) -> None:
        pid = self.consumer_pid(n)
        os.kill(pid, signal.SIGKILL)
        for _ in range(100):
            if not _alive(pid):
                break
            time.sleep(0.05)
        (self.run_dir / f"consumer-{n}.pid").unlink()
        log(f"consumer {n} (pid {pid}) killed with SIGKILL")

    def start_consumer(self, n: int) -> None:
        subprocess.run(
            [str(ROOT / "scripts" / "prod-up.sh"), "consumer", str(n)],
            env=self.env,
            check=True,
            cwd=ROOT,
        )
        log(f"consumer {n} restarted (pid {self.consumer_pid(n)})")

    def shared_env(self) -> dict[str, str]:
        values = {}
        for line in (self.run_dir / "env").read_text().splitlines():
            name, _, value = line.partition("=")
            values[name] = value
        return values


def _alive(pid: int) -> bool:
    """Running and not a zombie (a killed consumer is reaped by init, not by us)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, IndexError):
        return False
    return state != "Z"


def setup_django(prod: ProdMode) -> None:
    os.environ.update(prod.shared_env())  # the same settings, SECRET_KEY, database and queue
    import django

    django.setup()


def make_people(tag: str):
    """A county with its technical-maintenance department (a head), a supervisor, and NOTICES
    support staff; and the dispatch desk of the province (its O&M department)."""
    from vcassure.orgs import services as orgs
    from vcassure.orgs.models import Department, OrgUnit, Staff

    province = OrgUnit.objects.filter(parent__isnull=True).order_by(
        "code"
    ).first() or orgs.org_unit_create(
        by=None, code="990000", name="演练省", level=OrgUnit.Level.PROVINCE
    )
    desk = Department.objects.filter(
        org_unit=province, kind=Department.Kind.OPS
    ).first() or orgs.department_create(by=None, org_unit=province, kind=Department.Kind.OPS)
    for i in range(2 - Staff.objects.filter(department=desk, is_active=True).count()):
        orgs.staff_create(
            by=None,
            code=f"DESK-{tag}-{i}",
            name=f"调度员{i}",
            org_unit=province,
            department=desk,
            mobile=f"139{secrets.randbelow(10**8):08d}",
        )
    city = OrgUnit.objects.filter(code="999900").first() or orgs.org_unit_create(
        by=None, code="999900", name="演练市", level=OrgUnit.Level.CITY, parent=province
    )
    code = next(
        c
        for c in (f"99{secrets.randbelow(10**4):04d}" for _ in range(100))
        if not OrgUnit.objects.filter(code=c).exists()
    )
    county = orgs.org_unit_create(
        by=None, code=code, name=f"演练县{tag}", level=OrgUnit.Level.COUNTY, parent=city
    )
    department = orgs.department_create(
        by=None, org_unit=county, kind=Department.Kind.TECH_MAINTENANCE
    )
    head = orgs.staff_create(
        by=None,
        code=f"HEAD-{tag}",
        name="部门负责人",
        org_unit=county,
        department=department,
        mobile="13700000001",
    )
    Department.objects.filter(pk=department.pk).update(head=head)
    supervisor = orgs.staff_create(
        by=None,
        code=f"SUP-{tag}",
        name="主管",
        org_unit=county,
        department=department,
        mobile="13700000002",
    )
    Staff.objects.bulk_create(
        [
            Staff(
                code=f"P-{tag}-{i:03d}",
                name=f"保障员{i}",
                org_unit=county,
                department=department,
                supervisor=supervisor,
                mobile=f"136{i:08d}",
            )
            for i in range(NOTICES)
        ]
    )
    return list(Staff.objects.filter(code__startswith=f"P-{tag}-").order_by("code"))


def queue_notices(tag: str, people) -> tuple[list[int], list[int]]:
    """NOTICES personal notices in one transaction; the first OVERDUE already 30 minutes late."""
    from datetime import timedelta

    from django.db import transaction

    from vcassure.core import clock
    from vcassure.notifications.models import Notification
    from vcassure.notifications.services import PersonalMessage, notifications_queue

    with transaction.atomic():
        rows = notifications_queue(
            [
                PersonalMessage(
                    staff=p,
                    subject=f"drill:{tag}:{p.pk}",
                    title="【演练】视频会商保障通知",
                    body="请确认收到。",
                )
                for p in people
            ],
            topic=f"drill:{tag}",
            kind=Notification.Kind.PUBLISHED,
        )
        late = clock.now() - timedelta(minutes=30)
        overdue = [n.pk for n in rows[:OVERDUE]]
        Notification.objects.filter(pk__in=overdue).update(ack_due_at=late, next_escalation_at=late)
    return [n.pk for n in rows], overdue


def sweep() -> None:
    from vcassure.notifications.tasks import sweep_notifications_task

    sweep_notifications_task()  # enqueued to Redis; a consumer runs it


def counts(tag: str) -> Counter:
    from vcassure.notifications.models import Delivery

    return Counter(Delivery.objects.filter(topic=f"drill:{tag}").values_list("status", flat=True))


def wait_for(what: str, predicate, seconds: float, *, every=None) -> None:
    deadline = time.monotonic() + seconds
    last = 0.0
    while not predicate():
        if time.monotonic() > deadline:
            raise SystemExit(f"timed out waiting for {what}")
        if every and time.monotonic() - last > 3:
            every()
            last = time.monotonic()
        time.sleep(0.2)


def check(
    tag: str, notice_ids: list[int], overdue_ids: list[int], gateway: FakeSmsGateway
) -> list[str]:
    from django.db.models import Count, Q

    from vcassure.notifications.models import Delivery, DeliveryAttempt, Notification, PhoneCallTask
    from vcassure.orgs.selectors import dispatch_desk_staff

    failures = []
    deliveries = list(
        Delivery.objects.filter(topic=f"drill:{tag}")
        .annotate(ok=Count("attempt_log", filter=Q(attempt_log__ok=True)))
        .values("pk", "status", "ok", "notification_id", "channel")
    )
    not_sent = [d for d in deliveries if d["status"] != "sent"]
    if not_sent:
        failures.append(
            f"lost: {len(not_sent)} deliveries not sent ({Counter(d['status'] for d in not_sent)})"
        )
    twice = [d for d in deliveries if d["ok"] != 1]
    if twice:
        failures.append(f"{len(twice)} deliveries without exactly one successful attempt")
    refs = Counter(m.get("ref") for m in gateway.messages)
    expected = {f"delivery-{d['pk']}" for d in deliveries}
    if set(refs) != expected:
        failures.append(
            f"gateway: {len(expected - set(refs))} deliveries never reached it, "
            f"{len(set(refs) - expected)} unexpected messages"
        )
    if any(n > 1 for n in refs.values()):
        failures.append(f"gateway: {sum(n > 1 for n in refs.values())} deliveries accepted twice")
    desk = len(dispatch_desk_staff())
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
    overdue = set(overdue_ids)
    for pk in notice_ids:
        # Overdue: the first SMS and the re-notify; supervisor, head and desk notices; one call; 4 rungs.
        want = (2, 2 + desk, 1, 4) if pk in overdue else (1, 0, 0, 0)
        got = (per_notice[pk], escalations[pk], calls[pk], levels[pk])
        if got != want:
            failures.append(
                f"notice {pk}: (deliveries, escalation notices, phone calls, level) = {got}, expected {want}"
            )
    attempts = DeliveryAttempt.objects.filter(delivery__topic=f"drill:{tag}").count()
    log(
        f"{len(deliveries)} deliveries, all attempts recorded: {attempts}; gateway accepted {len(gateway.messages)}, "
        f"dropped {len(gateway.repeats)} repeated sends (same ref) after the kills; "
        f"{len(overdue)} overdue notices escalated through 4 rungs (dispatch desk of {desk})"
    )
    return failures


def main() -> int:
    started = time.monotonic()
    run_dir = Path(tempfile.mkdtemp(prefix="vcassure-prod-scenario-"))
    tag = secrets.token_hex(3)
    gateway = FakeSmsGateway(dedupe_ref=True, delay_seconds=0.02).start()
    env = {
        **os.environ,
        "PROD_RUN_DIR": str(run_dir),
        "PORT": str(free_port()),
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
    }
    os.environ.update(env)  # this process queues the notices with the same channel settings
    prod = ProdMode(env)
    try:
        prod.up()
        setup_django(prod)
        from django.db import connection

        if connection.vendor != "postgresql":
            raise SystemExit("the production scenario runs on PostgreSQL (DATABASE_URL)")
        people = make_people(tag)
        notice_ids, overdue_ids = queue_notices(tag, people)
        log(f"queued {len(notice_ids)} notices ({len(overdue_ids)} overdue); run {tag}")

        # 1. Both consumers die in the middle of dispatching.
        wait_for("dispatch to start", lambda: counts(tag)["sent"] >= 100, 60)
        prod.kill_consumer(1)
        prod.kill_consumer(2)
        in_flight = counts(tag)
        log(f"killed mid-dispatch: {dict(in_flight)}")
        sweep()  # sweeps asked for while no consumer runs: queued in Redis, run after the restart
        sweep()
        time.sleep(1)
        prod.start_consumer(1)
        prod.start_consumer(2)

        # 2. Two concurrent sweeps escalate the overdue notices; one consumer dies in the middle.
        sweep()
        sweep()
        time.sleep(0.3)
        prod.kill_consumer(2)
        sweep()
        time.sleep(1)
        prod.start_consumer(2)

        # 3. Everything settles: the leases of the killed consumers run out and sweeps take over.
        wait_for(
            "every delivery to be settled",
            lambda: not ({"queued", "sending"} & set(counts(tag))) and _escalated(overdue_ids),
            DEADLINE_SECONDS,
            every=sweep,
        )
        time.sleep(2)  # a sweep that is still running can only find nothing to do
        failures = check(tag, notice_ids, overdue_ids, gateway)
    finally:
        prod.down()
        gateway.stop()
    took = time.monotonic() - started
    for failure in failures[:20]:
        log(f"FAILED {failure}")
    log(
        f"{'all checks passed' if not failures else f'{len(failures)} checks failed'} in {took:.0f} s"
    )
    print(f"prod-scenario: {1 if not failures else 0} passed, {1 if failures else 0} failed")
    return 1 if failures else 0


def _escalated(overdue_ids: list[int]) -> bool:
    from vcassure.notifications.models import Notification

    return not Notification.objects.filter(pk__in=overdue_ids, escalation_level__lt=4).exists()


if __name__ == "__main__":
    sys.exit(main())

"""A meeting played by a simulated crowd (C14 `manage.py simulate`), compressed in time. Everything
goes through the services people and the worker use: acknowledgement links (the signed token),
check-in and checklist steps (field services), fault restoration (fault services), the meeting
clock, the escalation sweeper, the readiness probe rounds. Time is moved with time-machine, one
simulated minute at a time; `speed` simulated seconds pass per real second."""

import io
import random
import time
from collections import Counter
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from vcassure.core import clock
from vcassure.core.subjects import task_ref
from vcassure.faults.models import Fault
from vcassure.faults.services import fault_acknowledge, fault_restore
from vcassure.meetings.management.crowd import Person, Report
from vcassure.meetings.models import Meeting, SupportTask
from vcassure.meetings.services import (
    meeting_create,
    meeting_publish,
    support_task_check_in,
    support_task_record_step,
)
from vcassure.meetings.services.clock import meeting_clock_sweep
from vcassure.meetings.services.probes import meeting_probes_sweep
from vcassure.notifications import tokens
from vcassure.notifications.escalation import escalations_process_due
from vcassure.notifications.models import Notification
from vcassure.notifications.services import acknowledgements_apply_all, notification_ack_by_token
from vcassure.orgs.models import OrgUnit
from vcassure.orgs.selectors import dispatch_desk_staff

BEFORE_STEPS = (1, 2, 3)
PHOTO_STEPS = (1, 3)  # the R7 steps that need a photo to pass
_photo: bytes = b""


def site_photo():
    """A small JPEG as a phone would upload it (made once with Pillow)."""
    global _photo
    from django.core.files.uploadedfile import SimpleUploadedFile

    if not _photo:
        from PIL import Image

        buffer = io.BytesIO()
        Image.new("RGB", (64, 48), (40, 120, 200)).save(buffer, "JPEG")
        _photo = buffer.getvalue()
    return SimpleUploadedFile("site.jpg", _photo, content_type="image/jpeg")


AFTER_STEP = 4
STEP = timedelta(minutes=1)


def demo_meeting(*, by, system: str, venues: int, starts_in: timedelta) -> Meeting:
    """A new meeting of `venues` active branch venues of the system, published (shortfalls
    confirmed), through the same services as the meeting form."""
    from vcassure.venues.models import Venue

    ids = list(
        Venue.objects.visible_to(by)
        .filter(system__code=system, role=Venue.Role.BRANCH, is_active=True)
        .order_by("org_unit__path", "code")
        .values_list("id", flat=True)[:venues]
    )
    start = (clock.localnow() + starts_in).replace(second=0, microsecond=0)
    meeting = meeting_create(
        by=by,
        system=system,
        title=f"模拟会商 {start:%m-%d %H:%M}",
        starts_at=start,
        ends_at=start + timedelta(hours=1),
        notice_ref="模拟〔2026〕1号",
        venues=ids,
    )
    meeting_publish(meeting, by=by, confirm_shortfalls=True)
    meeting.refresh_from_db()
    return meeting


class Simulation:
    def __init__(self, meeting: Meeting, *, by, speed: float, seed: int, out=None) -> None:
        self.meeting = meeting
        self.by = by
        self.speed = speed
        self.rng = random.Random(seed)
        self.out = out
        self.report = Report()
        self.people: list[Person] = []

    def say(self, text: str) -> None:
        if self.out is not None:
            self.out(text)

    def cast(self, now: datetime) -> None:
        """Draw the crowd: most answer within minutes, some late, a few never; most check in
        before T−60, some late; about one in twelve venues fails a step once."""
        tasks = list(
            SupportTask.objects.filter(meeting=self.meeting, kind=SupportTask.Kind.VENUE)
            .exclude(state=SupportTask.State.CANCELLED)
            .exclude(assignee=None)
            .select_related("org_unit", "assignee__department")
            .order_by("id")
        )
        notices: dict[tuple[str, int | None], Notification] = {
            (n.subject, n.recipient_id): n
            for n in Notification.objects.filter(
                topic=f"meeting:{self.meeting.pk}",
                kind=Notification.Kind.PUBLISHED,
                requires_ack=True,
            )
        }
        start = self.meeting.starts_at
        for task in tasks:
            notice = notices.get((task_ref(task.pk), task.assignee_id))
            who = task.assignee
            luck = self.rng.random()
            if luck < 0.75:
                ack_at = now + timedelta(minutes=self.rng.randint(1, 8))
            elif luck < 0.90:
                ack_at = now + timedelta(minutes=self.rng.randint(25, 50))
            else:
                ack_at = None
            check_in = None
            if ack_at is not None:
                # a few arrive after the ready deadline, a few after the start
                lead = self.rng.choice([90, 80, 75, 70, 65, 62, 50] * 3 + [25, -10])
                check_in = max(ack_at + STEP, start - timedelta(minutes=lead))
            fail = self.rng.choice(BEFORE_STEPS) if self.rng.random() < 0.08 else None
            self.people.append(
                Person(
                    task_id=task.pk,
                    notice_id=notice.pk if notice else None,
                    ack_at=ack_at,
                    check_in_at=check_in,
                    fail_step=fail,
                    repair_minutes=self.rng.randint(5, 20),
                    fault_ack_minutes=self.rng.randint(1, 4),
                    units=tuple(OrgUnit.path_ids(task.org_unit.path)[1:3]),
                    ack_class=notice.ack_class if notice else "",
                    ack_due=notice.ack_due_at if notice else None,
                    on_site_due=task.on_site_due_at,
                    ready_due=task.ready_due_at,
                    shutdown_due=task.shutdown_due_at,
                    escalation_steps=list(notice.escalation_steps) if notice else [],
                    has_supervisor=who is not None and who.supervisor_id is not None,
                    has_head=who is not None
                    and who.department is not None
                    and who.department.head_id is not None,
                    has_mobile=bool(who and who.mobile),
                )
            )
        self.report.venues = len(tasks)
        self.report.desk = len(dispatch_desk_staff())
        self.report.notices = sum(1 for p in self.people if p.notice_id is not None)

    # --- what people do -----------------------------------------------------------------------

    def acknowledge(self, person: Person, now: datetime) -> None:
        notice = Notification.objects.get(pk=int(person.notice_id or 0))
        token = tokens.make_token(
            notification_id=notice.pk, staff_id=notice.recipient_id, nonce=notice.token_nonce
        )
        person.acked = now
        if notice.acknowledged_at is None:
            notification_ack_by_token(token)
            if notice.ack_due_at and now > notice.ack_due_at:
                self.report.acked_late += 1
            else:
                self.report.acked_on_time += 1
        else:  # answered another way (a check-in acknowledges too)
            self.report.acked_on_time += 1

    def field_user(self, task: SupportTask):
        user = task.assignee.user if task.assignee is not None else None
        return user or self.by  # a dispatcher acting on the person's behalf (audited)

    def step(self, person: Person, task: SupportTask, number: int, result: str) -> None:
        now = clock.now()
        photo = result == "pass" and number in PHOTO_STEPS
        support_task_record_step(
            task,
            by=self.field_user(task),
            number=number,
            result=result,
            note="模拟",
            photos=[site_photo()] if photo else None,
        )
        person.results[number] = (result, now)
        person.photos += photo
        self.report.photos += photo
        if result == "fail":
            person.fault_opened = now
            self.report.steps_failed += 1
        else:
            self.report.steps_passed += 1
            if number == AFTER_STEP:
                person.shutdown_at = now
            elif all(person.results.get(n, ("",))[0] == "pass" for n in BEFORE_STEPS):
                person.before_steps_passed_at = now

    def act(self, person: Person, now: datetime) -> None:
        if person.notice_id and person.ack_at and now >= person.ack_at and "ack" not in person.done:
            person.done.add("ack")
            self.acknowledge(person, now)
        if person.check_in_at is None or now < person.check_in_at:
            return
        finished_before = all(f"step{n}" in person.done for n in BEFORE_STEPS)
        if "in" in person.done and now < self.meeting.ends_at and finished_before:
            return  # ready: nothing to do until the meeting ends
        if f"step{AFTER_STEP}" in person.done:
            return
        task = SupportTask.objects.select_related("assignee__user", "meeting").get(
            pk=person.task_id
        )
        if "in" not in person.done:
            person.done.add("in")
            support_task_check_in(task, by=self.field_user(task))
            person.checked_in = now
            self.report.check_ins += 1
            return
        if now < self.meeting.ends_at:
            for number in BEFORE_STEPS:
                key = f"step{number}"
                if key in person.done:
                    continue
                if task.state == SupportTask.State.FAULTY:
                    return
                if person.fail_step == number and "failed" not in person.done:
                    person.done.add("failed")
                    self.step(person, task, number, "fail")
                    return
                person.done.add(key)
                self.step(person, task, number, "pass")
                return  # one step a minute
        elif f"step{AFTER_STEP}" not in person.done and task.state in ("ready", "in_meeting"):
            person.done.add(f"step{AFTER_STEP}")
            self.step(person, task, AFTER_STEP, "pass")

    def repair(self, now: datetime) -> None:
        """The city's network operations acknowledge each fault a few minutes after it opened and
        restore it some minutes later."""
        for person in self.people:
            opened = person.fault_opened
            if opened is None or person.fault_restored is not None:
                continue
            acking = person.fault_acked is None and now >= opened + timedelta(
                minutes=person.fault_ack_minutes
            )
            restoring = now >= opened + timedelta(minutes=person.repair_minutes)
            if not (acking or restoring):
                continue
            for fault in Fault.objects.filter(
                subject=task_ref(person.task_id), state__in=Fault.ACTIVE_STATES
            ):
                if acking and fault.state == Fault.State.OPEN:
                    fault_acknowledge(fault, by=self.by)
                    person.fault_acked = now
                if restoring:
                    fault_restore(fault, by=self.by, note="模拟：已修复")
                    person.fault_restored = now
                    self.report.faults_restored += 1

    # --- the worker ---------------------------------------------------------------------------

    def worker(self, now: datetime) -> None:
        acknowledgements_apply_all()
        moved = meeting_clock_sweep(now)
        for kind in ("started", "ended"):
            if moved.get(kind):
                self.report.clock.append((kind, now))
        self.report.overdue += moved.get("messages", 0)
        while climbed := escalations_process_due(now=now):
            self.report.rungs += climbed
        meeting_probes_sweep(now)

    def run(self) -> Report:
        import time_machine

        started = time.perf_counter()
        now = clock.now().replace(second=0, microsecond=0)
        end = self.meeting.ends_at + timedelta(minutes=20)
        self.cast(now)
        minute = 0
        while now <= end:
            tick = time.perf_counter()
            with time_machine.travel(now, tick=False):
                for person in self.people:
                    with transaction.atomic():
                        self.act(person, now)
                with transaction.atomic():
                    self.repair(now)
            with time_machine.travel(now, tick=False):
                self.worker(now)
            minute += 1
            if minute % 30 == 0:
                self.say(f"{timezone.localtime(now):%H:%M} {self.progress()}")
            pause = 60 / self.speed - (time.perf_counter() - tick)  # one simulated minute
            if pause > 0.001:
                time.sleep(pause)
            now += STEP
        self.report.sim_minutes = minute
        self.report.last_minute = now - STEP
        self.collect()
        self.report.wall_seconds = round(time.perf_counter() - started, 1)
        return self.report

    def progress(self) -> str:
        r = self.report
        return (
            f"acks {r.acks}, check-ins {r.check_ins}, steps {r.steps_passed}+{r.steps_failed} failed,"
            f" faults restored {r.faults_restored}"
        )

    def collect(self) -> None:
        subjects = [task_ref(p.task_id) for p in self.people]
        notices = [p.notice_id for p in self.people if p.notice_id is not None]
        self.report.never = Notification.objects.filter(
            pk__in=notices, acknowledged_at__isnull=True
        ).count()
        self.report.escalations = Notification.objects.filter(
            kind=Notification.Kind.ESCALATION, escalates_id__in=notices
        ).count()
        self.report.faults_opened = Fault.objects.filter(
            subject__in=subjects, source=Fault.Source.CHECKLIST
        ).count()
        self.report.tasks = dict(
            Counter(
                SupportTask.objects.filter(
                    meeting=self.meeting, kind=SupportTask.Kind.VENUE
                ).values_list("state", flat=True)
            )
        )

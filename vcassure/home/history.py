"""Three months of past meetings for the demo province (C12), so that the meeting reports, the
monthly KPIs and their charts show something true on a fresh `make run`.

Each meeting is planned by the real dispatcher (dispatch_plan) and written as publishing writes
it; its state moves through meeting_move and its tasks' through the task door, with the times a
plausible day would have had: most people answer within the deadline, a few late, a few never;
most venues are ready well before the start, some late; about one venue in thirty has a fault,
acknowledged within minutes and restored within the hour or two. The personal notices are stored
with their deadlines and answers but no deliveries (nothing is sent), missed deadlines are marked
as the sweeper would have marked them (nothing is escalated now), and the two latest meetings are
left ended and not closed (the close page and the morning reminder have one to show)."""

import random
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from vcassure.accounts.models import Role, User
from vcassure.core.subjects import meeting_ref, task_ref
from vcassure.faults.models import Fault
from vcassure.meetings.dispatch import dispatch_plan
from vcassure.meetings.models import Meeting, MeetingEvent, MeetingVenue, SupportTask
from vcassure.meetings.services.meetings import meeting_move
from vcassure.meetings.services.publish import support_tasks_write_plan
from vcassure.meetings.services.tasks import TaskMove, support_tasks_move, tasks_for_move
from vcassure.notifications.models import Notification
from vcassure.orgs.models import OrgUnit
from vcassure.venues.models import CustomerSystem, Venue

TITLES = {
    "water": ["防汛抗旱视频会商", "水库安全度汛调度会", "山洪灾害防御部署会"],
    "finance": ["财政预算执行视频会", "财政资金监管工作会"],
    "government": ["政务服务视频调度会", "安全生产视频会议", "重点工作推进会"],
    "general": ["视频会商例会", "应急管理视频会商"],
}
FAULT_TITLES = [
    "视频终端无法入会",
    "接入交换机端口故障",
    "光路中断",
    "会场音频无声",
    "UPS 告警",
]
M = timedelta(minutes=1)


def _minutes(rng: random.Random, low: float, mode: float, high: float) -> timedelta:
    return timedelta(minutes=rng.triangular(low, high, mode))


def _venue_pool() -> dict[tuple[str, int], list[Venue]]:
    """Branch venues by (system, city id)."""
    pool: dict[tuple[str, int], list[Venue]] = {}
    for v in (
        Venue.objects.filter(role=Venue.Role.BRANCH, is_active=True)
        .select_related("org_unit", "primary_staff", "backup_staff", "system")
        .order_by("code")
    ):
        chain = OrgUnit.path_ids(v.org_unit.path)
        if len(chain) > 1:
            pool.setdefault((v.system.code, chain[1]), []).append(v)
    return pool


def history_build(*, days: int = 90, seed: int = 2026, stdout=None) -> dict[str, int]:
    """Meetings over the `days` before today (about five a week), through yesterday."""
    rng = random.Random(seed)
    province = OrgUnit.objects.filter(parent__isnull=True).order_by("code").first()
    if province is None:
        return {"meetings": 0}
    dispatcher = (
        User.objects.filter(username="dispatcher").first()
        or User.objects.filter(role=Role.DISPATCHER).order_by("id").first()
        or User.objects.filter(is_superuser=True).first()
    )
    if dispatcher is None:
        return {"meetings": 0}
    systems = {s.code: s for s in CustomerSystem.objects.all()}
    pool = _venue_pool()
    keys = sorted(pool)
    today = timezone.localdate()
    counts = {"meetings": 0, "venue_tasks": 0, "faults": 0}
    days_list = [today - timedelta(days=d) for d in range(days, 0, -1)]
    meeting_days = [d for d in days_list if d.weekday() < 5 and rng.random() < 0.9]
    with transaction.atomic():  # one commit: SQLite syncs once
        for index, day in enumerate(meeting_days):
            _day(rng, index, day, meeting_days, keys, pool, systems, province, dispatcher, counts)
    if stdout is not None:
        stdout.write(
            f"History: {counts['meetings']} past meetings, {counts['venue_tasks']} venue tasks, "
            f"{counts['faults']} faults."
        )
    return counts


def _day(rng, index, day, meeting_days, keys, pool, systems, province, dispatcher, counts) -> None:
    """One meeting on `day`: one system, the venues of one city (now and then of three)."""
    system_code, city_id = keys[rng.randrange(len(keys))]
    venues = pool[(system_code, city_id)]
    if rng.random() < 0.15:
        others = [k for k in keys if k[0] == system_code and k[1] != city_id]
        for key in rng.sample(others, min(2, len(others))):
            venues = venues + pool[key]
    size = min(len(venues), rng.randint(25, 140))
    chosen = sorted(rng.sample(venues, size), key=lambda v: v.code)
    hour = rng.choice([9, 10, 14, 15])
    tz = timezone.get_default_timezone()
    stats = _meeting(
        rng,
        system=systems[system_code],
        title=rng.choice(TITLES.get(system_code, TITLES["general"])),
        owner=province,
        venues=chosen,
        starts_at=datetime(day.year, day.month, day.day, hour, 0, tzinfo=tz),
        by=dispatcher,
        leave_open=index >= len(meeting_days) - 2,
    )
    counts["meetings"] += 1
    counts["venue_tasks"] += stats["venue_tasks"]
    counts["faults"] += stats["faults"]


def _meeting(
    rng: random.Random,
    *,
    system: CustomerSystem,
    title: str,
    owner: OrgUnit,
    venues: list[Venue],
    starts_at: datetime,
    by: User,
    leave_open: bool,
) -> dict[str, int]:
    importance = rng.choices(["normal", "important", "special"], [70, 25, 5])[0]
    ends_at = starts_at + timedelta(hours=rng.choice([1, 2, 2, 3]))
    received = starts_at - timedelta(days=rng.randint(1, 3), hours=rng.randint(0, 5))
    published = received + _minutes(rng, 20, 60, 240)
    meeting = Meeting.objects.create(
        system=system,
        title=f"{title}({starts_at:%m月%d日})",
        importance=importance,
        starts_at=starts_at,
        ends_at=ends_at,
        notice_ref=f"{system.name[:2]}〔{starts_at:%Y}〕{rng.randint(10, 300)}号",
        org_unit=owner,
        entered_by=by,
    )
    Meeting.objects.filter(pk=meeting.pk).update(created_at=received)
    MeetingVenue.objects.bulk_create([MeetingVenue(meeting=meeting, venue=v) for v in venues])
    MeetingEvent.objects.create(
        meeting=meeting, kind="created", at=received, actor=by, changes={"venues": len(venues)}
    )
    plan = dispatch_plan(meeting, venues)
    support_tasks_write_plan(meeting, plan, by=by, now=published)
    meeting.published_at = published
    meeting_move(meeting, to="published", at=published, by=by, fields=("published_at",))

    tasks = tasks_for_move(SupportTask.objects.filter(meeting=meeting))
    full = {
        t.pk: t
        for t in SupportTask.objects.filter(meeting=meeting).only(
            "id",
            "kind",
            "role",
            "assignee_id",
            "org_unit_id",
            "venue_id",
            "on_site_due_at",
            "ready_due_at",
            "shutdown_due_at",
        )
    }
    moves: list[TaskMove] = []
    notices: list[Notification] = []
    faults: list[Fault] = []
    stamps: dict[int, dict[str, Any]] = {}
    # A county or two has a bad day: slower answers and later readiness there.
    slow_counties = {
        OrgUnit.path_ids(v.org_unit.path)[2]
        for v in rng.sample(venues, min(2, len(venues)))
        if len(OrgUnit.path_ids(v.org_unit.path)) > 2
    }
    for task in tasks:
        info = full[task.pk]
        ack_class = "im" if rng.random() < 0.8 else "office"
        due = published + (10 * M if ack_class == "im" else 120 * M)
        slow = bool(slow_counties & set(OrgUnit.path_ids(_path(info, venues))))
        r = rng.random()
        never = info.assignee_id is None or r < (0.05 if slow else 0.015)
        late = not never and r < (0.25 if slow else 0.07)
        acked: datetime | None = None
        if not never:
            acked = published + (_minutes(rng, 11, 25, 180) if late else _minutes(rng, 0.5, 3, 9.5))
            if ack_class == "office" and not late:
                acked = published + _minutes(rng, 2, 30, 110)
        if info.assignee_id is not None:
            notices.append(
                Notification(
                    recipient_id=info.assignee_id,
                    kind=Notification.Kind.PUBLISHED,
                    topic=meeting_ref(meeting.pk),
                    subject=task_ref(task.pk),
                    title=f"【保障通知】{meeting.title}",
                    body=meeting.title,
                    ack_class=ack_class,
                    ack_due_at=due,
                    acknowledged_at=acked,
                    acknowledged_via="link" if acked else "",
                    is_cancelled=acked is None,
                    created_at=published,
                )
            )
        if acked is None:
            stamps[task.pk] = {"missed": True}
            continue
        moves.append(TaskMove(task=task, to="acknowledged", at=acked, by=None, note="link"))
        if info.kind == SupportTask.Kind.COORDINATION:
            if info.role in ("broadcast", "network_ops", "tech_maintenance"):
                moves.append(TaskMove(task=task, to="done", at=ends_at + _minutes(rng, 5, 20, 90)))
            continue
        on_site_due: datetime = info.on_site_due_at or starts_at
        ready_due: datetime = info.ready_due_at or starts_at
        lateness = 0.3 if slow else 0.08
        arrive = on_site_due - _minutes(rng, -25 if rng.random() < lateness else 2, 15, 50)
        ready = max(arrive + _minutes(rng, 8, 18, 35), arrive)
        if rng.random() < (0.12 if slow else 0.03):
            ready = starts_at + _minutes(rng, 1, 8, 30)  # ready only after the start
        moves.append(TaskMove(task=task, to="on_site", at=arrive))
        stamp: dict[str, Any] = {"checked_in_at": arrive}
        if rng.random() < 0.035:
            opened = arrive + _minutes(rng, 2, 6, 15)
            restored = opened + _minutes(rng, 10, 35, 150)
            acknowledged = opened + _minutes(rng, 1, 5, 25)
            faults.append(
                Fault(
                    title=f"{_venue_name(info, venues)}：{rng.choice(FAULT_TITLES)}",
                    source=Fault.Source.CHECKLIST,
                    severity=rng.choice(["major", "minor", "minor", "critical"]),
                    state=Fault.State.CLOSED,
                    org_unit_id=info.org_unit_id,
                    venue_id=info.venue_id,
                    subject=task_ref(task.pk),
                    opened_at=opened,
                    acknowledged_at=acknowledged,
                    on_site_at=acknowledged + _minutes(rng, 5, 15, 40),
                    restored_at=restored,
                    closed_at=restored + _minutes(rng, 10, 30, 120),
                    created_at=opened,
                )
            )
            moves.append(TaskMove(task=task, to="faulty", at=opened))
            moves.append(TaskMove(task=task, to="restored", at=restored))
            ready = max(ready, restored + M)
        moves.append(TaskMove(task=task, to="ready", at=ready))
        if ready <= starts_at:
            moves.append(TaskMove(task=task, to="in_meeting", at=starts_at))
        if not leave_open or rng.random() < 0.7:
            stamp["done_at"] = ends_at + _minutes(rng, 3, 12, 40)
            moves.append(TaskMove(task=task, to="done", at=stamp["done_at"]))
        if arrive > on_site_due:
            stamp["missed_on_site_at"] = on_site_due + M
        if ready > ready_due:
            stamp["missed_ready_at"] = ready_due + M
        stamps[task.pk] = stamp
    Notification.objects.bulk_create(notices, batch_size=500)
    Fault.objects.bulk_create(faults, batch_size=500)
    meeting_move(meeting, to="in_progress", at=starts_at)
    support_tasks_move(moves, strict=False)
    _stamp(stamps, full, starts_at, ends_at)
    meeting_move(meeting, to="ended", at=ends_at)
    if not leave_open:
        meeting.closed_at = ends_at + _minutes(rng, 60, 180, 1200)
        meeting.closed_by = by
        meeting.close_note = rng.choice(
            ["保障工作全部完成。", "会议顺利结束，遗留问题已转故障处理。", "各会场均已关机。"]
        )
        meeting_move(
            meeting,
            to="closed",
            at=meeting.closed_at,
            by=by,
            fields=("closed_at", "closed_by", "close_note"),
        )
    return {
        "venue_tasks": sum(1 for t in full.values() if t.kind == SupportTask.Kind.VENUE),
        "faults": len(faults),
    }


def _path(info: SupportTask, venues: list[Venue]) -> str:
    venue = next((v for v in venues if v.pk == info.venue_id), None)
    return venue.org_unit.path if venue is not None else ""


def _venue_name(info: SupportTask, venues: list[Venue]) -> str:
    venue = next((v for v in venues if v.pk == info.venue_id), None)
    return venue.name if venue is not None else ""


def _stamp(stamps: dict[int, dict], full: dict[int, SupportTask], starts_at, ends_at) -> None:
    """Check-in times and the deadlines the sweeper would have marked (none will be now)."""
    rows = []
    for pk, values in stamps.items():
        task = full[pk]
        if task.kind != SupportTask.Kind.VENUE:
            continue
        if values.get("missed"):
            task.missed_on_site_at = task.on_site_due_at + M if task.on_site_due_at else None
            task.missed_ready_at = task.ready_due_at + M if task.ready_due_at else None
        else:
            task.checked_in_at = values.get("checked_in_at")
            task.missed_on_site_at = values.get("missed_on_site_at")
            task.missed_ready_at = values.get("missed_ready_at")
        done_at = values.get("done_at")
        due = task.shutdown_due_at
        task.missed_shutdown_at = due + M if due and (done_at is None or done_at > due) else None
        rows.append(task)
    SupportTask.objects.bulk_update(
        rows,
        ["checked_in_at", "missed_on_site_at", "missed_ready_at", "missed_shutdown_at"],
        batch_size=500,
    )

"""The home page's "what needs action now": a short list of attention sources, one function per
kind of thing that can need a person (a meeting about to start, people not answering, a fault's
clock, a phone call to make, a robot that stopped working, one's own next task).

Each source is an `AttentionSource`: who it is for (`applies`), what it says when nothing is wrong
(`fine`), and `collect(user, now)` returning `AttentionItem`s, each with an urgency, a label and a
link to the page where the item is handled. Every read starts from `.visible_to(user)` (or the
user's own staff record), so a county dispatcher sees only the county. Adding a kind (overdue
inspections, uncovered shifts, …) is one function and one line in `SOURCES`.

Sources read models and selectors only; they never write. Each runs a constant number of queries
and returns at most `LIMIT` items (plus one "and N more" item linking to the full list)."""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Count, Min, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from vcassure.accounts.models import Role
from vcassure.accounts.types import UserLike
from vcassure.core.subjects import describe, subject_id
from vcassure.core.templatetags.vca_time import when
from vcassure.duty.models import Shift
from vcassure.duty.selectors import roster_problems
from vcassure.faults.models import Fault
from vcassure.meetings.models import Meeting, SupportTask, overdue_q
from vcassure.notifications.models import ImGroup, Notification, PhoneCallTask
from vcassure.notifications.permissions import can_manage_im_groups, can_work_dispatch_desk
from vcassure.routine.models import Inspection

LIMIT = 12

# Urgency: lower is more urgent. The list is sorted by (urgency, due time).
NOW, SOON, LATER = 0, 1, 2

READY_STATES = ("ready", "in_meeting", "done", "restored")
OPEN_FAULT_STATES = ("open", "acknowledged", "assigned", "on_site")
FAR = datetime.max.replace(tzinfo=timezone.get_fixed_timezone(0))


@dataclass(frozen=True)
class AttentionItem:
    kind: str  # the source's key, also a CSS hook and a test hook (data-kind)
    urgency: int  # NOW, SOON or LATER
    label: str
    url: str
    detail: str = ""
    badge: str = ""
    tone: str = ""  # "bad", "warn", "ok" or "" (the badge's colour)
    due_at: datetime | None = None

    @property
    def sort_key(self) -> tuple[int, datetime]:
        return (self.urgency, self.due_at or FAR)


@dataclass(frozen=True)
class AttentionSource:
    key: str
    title: object  # a lazy string
    fine: object  # what it says when it has nothing: "no fault is open"
    collect: Callable[[UserLike, datetime], list[AttentionItem]]
    applies: Callable[[UserLike], bool]


def _minutes(delta: timedelta) -> int:
    return max(1, int(delta.total_seconds() // 60))


def _late(due: datetime, now: datetime) -> str:
    return ngettext("已超时 %(n)s 分钟", "已超时 %(n)s 分钟", _minutes(now - due)) % {
        "n": _minutes(now - due)
    }


def _more(kind: str, n: int, url: str) -> AttentionItem:
    return AttentionItem(
        kind=kind,
        urgency=LATER,
        label=ngettext("另有 %(n)s 项", "另有 %(n)s 项", n) % {"n": n},
        url=url,
    )


def _staff(user: UserLike):
    return getattr(user, "staff_profile", None)


def _is_desk(user: UserLike) -> bool:
    return can_work_dispatch_desk(user)


def _is_field_staff(user: UserLike) -> bool:
    return bool(user.is_authenticated and user.role == Role.SUPPORT and _staff(user) is not None)


def _not_field_only(user: UserLike) -> bool:
    return bool(user.is_authenticated and (user.is_superuser or user.role != Role.SUPPORT))


# --- meetings today and tomorrow ------------------------------------------------------------------


def meetings_soon(user: UserLike, now: datetime) -> list[AttentionItem]:
    """Meetings starting today or tomorrow (or running now) with their venues' readiness, counted
    over the venue tasks the user can see."""
    today = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    until = today + timedelta(days=2)
    meetings = list(
        Meeting.objects.visible_to(user)
        .filter(
            Q(starts_at__gte=today, starts_at__lt=until)
            | Q(state=Meeting.State.IN_PROGRESS, starts_at__lt=until),
            state__in=[Meeting.State.DRAFT, Meeting.State.PUBLISHED, Meeting.State.IN_PROGRESS],
        )
        .select_related("system")
        .order_by("starts_at", "id")[: LIMIT + 1]
    )
    if not meetings:
        return []
    counts = {
        row["meeting_id"]: row
        for row in SupportTask.objects.visible_to(user)
        .filter(meeting__in=meetings[:LIMIT], kind=SupportTask.Kind.VENUE)
        .exclude(state=SupportTask.State.CANCELLED)
        .values("meeting_id")
        .annotate(
            total=Count("id"),
            ready=Count("id", filter=Q(state__in=READY_STATES)),
            overdue=Count("id", filter=overdue_q(now)),
            faulty=Count("id", filter=Q(state=SupportTask.State.FAULTY)),
        )
    }
    items = []
    tomorrow = today + timedelta(days=1)
    for meeting in meetings[:LIMIT]:
        row = counts.get(meeting.pk, {"total": 0, "ready": 0, "overdue": 0, "faulty": 0})
        day = _("今天") if meeting.starts_at < tomorrow else _("明天")
        detail = _("%(day)s %(start)s 开始 · %(system)s") % {
            "day": day,
            "start": timezone.localtime(meeting.starts_at).strftime("%H:%M"),
            "system": meeting.system.name,
        }
        if meeting.state == Meeting.State.DRAFT:
            items.append(
                AttentionItem(
                    kind="meeting",
                    urgency=NOW if meeting.starts_at < tomorrow else SOON,
                    label=meeting.title,
                    detail=detail,
                    badge=_("草稿，尚未发布"),
                    tone="warn",
                    url=reverse("meetings:meeting_detail", args=[meeting.pk]),
                    due_at=meeting.starts_at,
                )
            )
            continue
        total, ready = row["total"], row["ready"]
        badge = _("就绪 %(ready)s/%(total)s") % {"ready": ready, "total": total}
        if row["overdue"] or row["faulty"]:
            parts = []
            if row["overdue"]:
                parts.append(_("逾期 %(n)s") % {"n": row["overdue"]})
            if row["faulty"]:
                parts.append(_("故障 %(n)s") % {"n": row["faulty"]})
            badge = f"{badge} · {' · '.join(parts)}"
            urgency, tone = NOW, "bad"
        elif total and ready == total:
            urgency, tone = LATER, "ok"
        else:
            starts_soon = meeting.starts_at - now < timedelta(hours=2)
            urgency = NOW if starts_soon else (SOON if meeting.starts_at < tomorrow else LATER)
            tone = "warn" if starts_soon else ""
        if meeting.state == Meeting.State.IN_PROGRESS:
            detail = _("进行中 · %(system)s") % {"system": meeting.system.name}
        items.append(
            AttentionItem(
                kind="meeting",
                urgency=urgency,
                label=meeting.title,
                detail=detail,
                badge=badge,
                tone=tone,
                url=reverse("meetings:meeting_dashboard", args=[meeting.pk]),
                due_at=meeting.starts_at,
            )
        )
    if len(meetings) > LIMIT:
        items.append(_more("meeting", 1, reverse("meetings:meeting_list")))
    return items


# --- people not answering past their deadline -----------------------------------------------------


def unanswered_overdue(user: UserLike, now: datetime) -> list[AttentionItem]:
    """People past their reply deadline, one item per meeting (a province-wide meeting may have
    hundreds): how many, since when, linking to the desk filtered to that meeting."""
    rows = list(
        Notification.objects.visible_to(user)
        .unanswered()
        .filter(ack_due_at__lt=now)
        .values("topic")
        .annotate(n=Count("id"), first=Min("ack_due_at"))
        .order_by("first")[:LIMIT]
    )
    if not rows:
        return []
    labels = describe({r["topic"] for r in rows if r["topic"]})
    desk = reverse("notifications:desk")
    items = []
    for row in rows:
        topic, first = row["topic"], row["first"]
        meeting = subject_id(topic, "meeting")
        label = labels.get(topic)
        items.append(
            AttentionItem(
                kind="unanswered",
                urgency=NOW,
                label=ngettext("%(n)s 人超过响应时限未确认", "%(n)s 人超过响应时限未确认", row["n"])
                % {"n": row["n"]},
                detail=str(label.text) if label else _("其他通知"),
                badge=_late(first, now) if first else "",
                tone="bad",
                url=f"{desk}?{urlencode({'meeting': meeting})}" if meeting else desk,
                due_at=first,
            )
        )
    return items


# --- open faults and their clocks -----------------------------------------------------------------


def _fault_item(fault: Fault, now: datetime) -> AttentionItem:
    # Until acknowledged the clock is the acknowledgement deadline; then the restore deadline.
    due: datetime | None
    if fault.state == Fault.State.OPEN and fault.ack_due_at:
        due, clock_name = fault.ack_due_at, _("受理时限")
    else:
        due, clock_name = fault.restore_due_at, _("恢复时限")
    place = fault.venue.name if fault.venue is not None else fault.org_unit.name
    parts = [fault.get_state_display(), fault.get_severity_display(), place]
    if due is not None and due < now:
        urgency, tone, badge = NOW, "bad", f"{clock_name} {_late(due, now)}"
    elif due is not None:
        urgency = NOW if fault.severity == Fault.Severity.CRITICAL else SOON
        tone, badge = "warn", f"{clock_name} {when(due)}"
    else:
        urgency, tone, badge = SOON, "warn", ""
    return AttentionItem(
        kind="fault",
        urgency=urgency,
        label=fault.title,
        detail=" · ".join(str(p) for p in parts),
        badge=badge,
        tone=tone,
        url=reverse("faults:fault_detail", args=[fault.pk]),
        due_at=due,
    )


def faults_open(user: UserLike, now: datetime) -> list[AttentionItem]:
    """Open faults of the user's subtree; support staff see the faults assigned to them."""
    qs = Fault.objects.filter(state__in=OPEN_FAULT_STATES)
    if user.is_authenticated and not user.is_superuser and user.role == Role.SUPPORT:
        staff = _staff(user)
        qs = qs.filter(assignee=staff) if staff is not None else qs.none()
    else:
        qs = qs.visible_to(user)
    faults = list(
        qs.select_related("venue", "org_unit").order_by("ack_due_at", "restore_due_at", "id")[
            : LIMIT + 1
        ]
    )
    items = [_fault_item(f, now) for f in faults[:LIMIT]]
    if len(faults) > LIMIT:
        items.append(_more("fault", qs.count() - LIMIT, reverse("faults:fault_list")))
    return items


# --- phone calls waiting on the desk --------------------------------------------------------------


def phone_calls_waiting(user: UserLike, now: datetime) -> list[AttentionItem]:
    qs = PhoneCallTask.objects.filter(
        notification__in=Notification.objects.visible_to(user),
        outcome=PhoneCallTask.Outcome.PENDING,
    )
    calls = list(
        qs.select_related("notification__recipient__org_unit").order_by("created_at", "id")[
            : LIMIT + 1
        ]
    )
    desk = reverse("notifications:desk") + "#calls"
    items = [
        AttentionItem(
            kind="phone_call",
            urgency=NOW,
            label=_("致电 %(name)s") % {"name": call.notification.recipient.name},
            detail=f"{call.notification.recipient.org_unit.name} · {call.notification.title}",
            badge=ngettext(
                "已等待 %(n)s 分钟", "已等待 %(n)s 分钟", _minutes(now - call.created_at)
            )
            % {"n": _minutes(now - call.created_at)},
            tone="bad",
            url=desk,
            due_at=call.created_at,
        )
        for call in calls[:LIMIT]
    ]
    if len(calls) > LIMIT:
        items.append(_more("phone_call", qs.count() - LIMIT, desk))
    return items


# --- IM robots needing attention ------------------------------------------------------------------


def im_groups_failing(user: UserLike, now: datetime) -> list[AttentionItem]:
    """Active groups whose robot needs an administrator (a bad key, a removed robot) or is paused
    by the platform's rate limit."""
    groups = list(
        ImGroup.objects.visible_to(user)
        .filter(is_active=True)
        .filter(Q(needs_attention=True) | Q(paused_until__gt=now))
        .select_related("org_unit")
        .order_by("-needs_attention", "paused_until", "id")[:LIMIT]
    )
    items = []
    for group in groups:
        if group.needs_attention:
            urgency, tone, badge = NOW, "bad", _("需管理员处理")
        else:
            urgency, tone = SOON, "warn"
            badge = _("限流暂停至 %(at)s") % {"at": when(group.paused_until)}
        items.append(
            AttentionItem(
                kind="im_group",
                urgency=urgency,
                label=group.name,
                detail=" · ".join(
                    p for p in (group.get_platform_display(), group.last_error[:120]) if p
                ),
                badge=badge,
                tone=tone,
                url=reverse("notifications:group_edit", args=[group.pk]),
                due_at=group.paused_until,
            )
        )
    return items


# --- one's own next tasks (township staff) --------------------------------------------------------


def my_next_tasks(user: UserLike, now: datetime) -> list[AttentionItem]:
    staff = _staff(user)
    if staff is None:
        return []
    tasks = list(
        SupportTask.objects.filter(assignee=staff)
        .open()
        .filter(
            meeting__state__in=[Meeting.State.PUBLISHED, Meeting.State.IN_PROGRESS],
            meeting__ends_at__gt=now - timedelta(hours=1),
        )
        .select_related("meeting", "venue", "department")
        .order_by("meeting__starts_at", "on_site_due_at", "id")[:LIMIT]
    )
    items = []
    for task in tasks:
        needs_ack = task.state in (SupportTask.State.PENDING, SupportTask.State.NOTIFIED)
        overdue = (
            task.on_site_due_at
            and task.on_site_due_at < now
            and task.state in SupportTask.BEFORE_SITE_STATES
        ) or (
            task.ready_due_at
            and task.ready_due_at < now
            and task.state in SupportTask.BEFORE_READY_STATES
        )
        if task.state in SupportTask.BEFORE_SITE_STATES:
            next_due, next_step = task.on_site_due_at, _("到场")
        elif task.state in SupportTask.BEFORE_READY_STATES:
            next_due, next_step = task.ready_due_at, _("就绪")
        else:
            next_due, next_step = task.shutdown_due_at, _("关机")
        if needs_ack:
            badge, tone = _("请确认接收"), "bad"
        elif overdue:
            badge, tone = _("已逾期"), "bad"
        else:
            badge, tone = task.get_state_display(), ""
        where = task.venue.name if task.venue_id else (task.department or task.org_unit).name
        detail = _("%(where)s · %(step)s时限 %(at)s") % {
            "where": where,
            "step": next_step,
            "at": when(next_due),
        }
        url = (
            reverse("meetings:task_field", args=[task.pk])
            if task.kind == SupportTask.Kind.VENUE
            else reverse("meetings:my_tasks")
        )
        items.append(
            AttentionItem(
                kind="my_task",
                urgency=NOW if (needs_ack or overdue) else SOON,
                label=task.meeting.title,
                detail=detail,
                badge=str(badge),
                tone=tone,
                url=url,
                due_at=next_due,
            )
        )
    return items


# --- overdue inspections (routine) ----------------------------------------------------------------


def inspections_overdue(user: UserLike, now: datetime) -> list[AttentionItem]:
    """Open inspections past their due time, one item per unit owning the venues, oldest first,
    linking to the overdue list."""
    rows = list(
        Inspection.objects.visible_to(user)
        .filter(state__in=Inspection.OPEN_STATES, due_at__lt=now)
        .values("org_unit_id", "org_unit__name")
        .annotate(n=Count("id"), first=Min("due_at"))
        .order_by("first", "org_unit_id")[: LIMIT + 1]
    )
    url = reverse("routine:overdue")
    items = [
        AttentionItem(
            kind="inspection_overdue",
            urgency=NOW,
            label=ngettext("%(n)s 项巡检逾期未完成", "%(n)s 项巡检逾期未完成", row["n"])
            % {"n": row["n"]},
            detail=row["org_unit__name"],
            badge=_late(row["first"], now),
            tone="bad",
            url=url,
            due_at=row["first"],
        )
        for row in rows[:LIMIT]
    ]
    if len(rows) > LIMIT:
        items.append(_more("inspection_overdue", len(rows) - LIMIT, url))
    return items


def my_inspections_today(user: UserLike, now: datetime) -> list[AttentionItem]:
    """The person's own open inspections of today (and earlier ones still open)."""
    staff = _staff(user)
    if staff is None:
        return []
    today = timezone.localtime(now).date()
    inspections = list(
        Inspection.objects.filter(
            assignee=staff, state__in=Inspection.OPEN_STATES, scheduled_on__lte=today
        )
        .select_related("venue", "plan")
        .order_by("due_at", "id")[:LIMIT]
    )
    items = []
    for inspection in inspections:
        late = inspection.due_at < now
        items.append(
            AttentionItem(
                kind="my_inspection",
                urgency=NOW if late else SOON,
                label=inspection.venue.name,
                detail=_("%(plan)s · 完成时限 %(at)s")
                % {"plan": inspection.plan.name, "at": when(inspection.due_at)},
                badge=_("已逾期") if late else inspection.get_state_display(),
                tone="bad" if late else "",
                url=reverse("routine:inspection_card", args=[inspection.pk]),
                due_at=inspection.due_at,
            )
        )
    return items


# --- uncovered or rule-breaking shifts (duty) -----------------------------------------------------

SHIFT_HORIZON = timedelta(hours=72)


def shifts_at_risk(user: UserLike, now: datetime) -> list[AttentionItem]:
    """Shifts starting within 72 h that nobody covers or whose person would break a roster rule,
    one item per special period, linking to the period's page."""
    shifts = list(
        Shift.objects.visible_to(user)
        .filter(starts_at__gte=now, starts_at__lt=now + SHIFT_HORIZON)
        .select_related("period")
        .only("id", "assignee_id", "starts_at", "ends_at", "period__id", "period__name")
    )
    if not shifts:
        return []
    broken = roster_problems([s for s in shifts if s.assignee_id])
    per_period: dict[int, dict] = {}
    for shift in shifts:
        if shift.assignee_id is not None and shift.pk not in broken:
            continue
        entry = per_period.setdefault(
            shift.period_id,
            {"period": shift.period, "uncovered": 0, "broken": 0, "first": shift.starts_at},
        )
        entry["uncovered" if shift.assignee_id is None else "broken"] += 1
        entry["first"] = min(entry["first"], shift.starts_at)
    items = []
    for entry in sorted(per_period.values(), key=lambda e: e["first"])[:LIMIT]:
        parts = []
        if entry["uncovered"]:
            parts.append(
                ngettext("%(n)s 个班次无人值班", "%(n)s 个班次无人值班", entry["uncovered"])
                % {"n": entry["uncovered"]}
            )
        if entry["broken"]:
            parts.append(
                ngettext("%(n)s 个班次违反排班规则", "%(n)s 个班次违反排班规则", entry["broken"])
                % {"n": entry["broken"]}
            )
        first = entry["first"]
        items.append(
            AttentionItem(
                kind="shift_risk",
                urgency=NOW if first - now < timedelta(hours=24) else SOON,
                label=entry["period"].name,
                detail=" · ".join(parts),
                badge=_("最早 %(at)s 开始") % {"at": when(first)},
                tone="bad" if first - now < timedelta(hours=24) else "warn",
                url=reverse("duty:period_detail", args=[entry["period"].pk]),
                due_at=first,
            )
        )
    return items


def my_next_shift(user: UserLike, now: datetime) -> list[AttentionItem]:
    """The person's shift under way or next to come."""
    staff = _staff(user)
    if staff is None:
        return []
    shift = (
        Shift.objects.filter(assignee=staff, ends_at__gt=now)
        .select_related("venue", "period")
        .order_by("starts_at", "id")
        .first()
    )
    if shift is None:
        return []
    started = shift.starts_at <= now
    missing = started and shift.checked_in_at is None
    return [
        AttentionItem(
            kind="my_shift",
            urgency=NOW if started or shift.starts_at - now < timedelta(hours=2) else LATER,
            label=shift.venue.name,
            detail=_("%(period)s · %(start)s 至 %(end)s")
            % {
                "period": shift.period.name,
                "start": when(shift.starts_at),
                "end": when(shift.ends_at),
            },
            badge=_("请签到") if missing else (_("值班中") if started else _("下一班")),
            tone="bad" if missing else "",
            url=reverse("duty:shift_detail", args=[shift.pk]),
            due_at=shift.starts_at,
        )
    ]


SOURCES: list[AttentionSource] = [
    AttentionSource(
        "my_task",
        gettext_lazy("我的任务"),
        gettext_lazy("没有待办的保障任务"),
        my_next_tasks,
        _is_field_staff,
    ),
    AttentionSource(
        "meeting",
        gettext_lazy("今明两天的会议"),
        gettext_lazy("今明两天没有会议"),
        meetings_soon,
        _not_field_only,
    ),
    AttentionSource(
        "unanswered",
        gettext_lazy("超时未确认"),
        gettext_lazy("没有超过响应时限未确认的人员"),
        unanswered_overdue,
        _is_desk,
    ),
    AttentionSource(
        "fault",
        gettext_lazy("未恢复的故障"),
        gettext_lazy("没有未恢复的故障"),
        faults_open,
        lambda user: user.is_authenticated,
    ),
    AttentionSource(
        "phone_call",
        gettext_lazy("待拨打的电话"),
        gettext_lazy("没有待拨打的电话"),
        phone_calls_waiting,
        _is_desk,
    ),
    AttentionSource(
        "im_group",
        gettext_lazy("消息群机器人"),
        gettext_lazy("消息群机器人工作正常"),
        im_groups_failing,
        can_manage_im_groups,
    ),
    AttentionSource(
        "inspection_overdue",
        gettext_lazy("逾期的巡检"),
        gettext_lazy("没有逾期的巡检"),
        inspections_overdue,
        _not_field_only,
    ),
    AttentionSource(
        "shift_risk",
        gettext_lazy("72 小时内无人或违规的班次"),
        gettext_lazy("72 小时内的班次都有人值守且符合规则"),
        shifts_at_risk,
        _not_field_only,
    ),
    AttentionSource(
        "my_inspection",
        gettext_lazy("我今天的巡检"),
        gettext_lazy("今天没有待做的巡检"),
        my_inspections_today,
        _is_field_staff,
    ),
    AttentionSource(
        "my_shift",
        gettext_lazy("我的下一个班次"),
        gettext_lazy("没有排到值班"),
        my_next_shift,
        _is_field_staff,
    ),
]


@dataclass
class Attention:
    items: list[AttentionItem]
    fine: list[str]  # what the sources with nothing to show say is fine
    now: datetime
    titles: dict[str, str]  # source key -> its title

    @property
    def rows(self) -> list[tuple[AttentionItem, str]]:
        return [(item, self.titles.get(item.kind, "")) for item in self.items]

    @property
    def urgent_count(self) -> int:
        return sum(1 for item in self.items if item.urgency == NOW)


def attention_for(
    user: UserLike, now: datetime, sources: Iterable[AttentionSource] = SOURCES
) -> Attention:
    """Every applicable source's items, most urgent first."""
    items: list[AttentionItem] = []
    fine: list[str] = []
    titles: dict[str, str] = {}
    for source in sources:
        if not source.applies(user):
            continue
        titles[source.key] = str(source.title)
        found = source.collect(user, now)
        if found:
            items.extend(found)
        else:
            fine.append(str(source.fine))
    items.sort(key=lambda item: item.sort_key)
    return Attention(items=items, fine=fine, now=now, titles=titles)

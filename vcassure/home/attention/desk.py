"""Sources for the dispatch desk: meetings today and tomorrow, people past their deadline, open
faults, phone calls waiting, IM robots failing."""

from datetime import datetime, timedelta

from django.db.models import Count, Min, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from vcassure.accounts.models import Role
from vcassure.accounts.types import UserLike
from vcassure.core.subjects import describe, subject_id
from vcassure.core.templatetags.vca_time import when
from vcassure.faults.models import Fault
from vcassure.home.attention.base import (
    LATER,
    LIMIT,
    NOW,
    OPEN_FAULT_STATES,
    READY_STATES,
    SOON,
    AttentionItem,
    late_by,
    minutes_of,
    more_item,
    staff_of,
)
from vcassure.meetings.models import Meeting, SupportTask, overdue_q
from vcassure.notifications.models import ImGroup, Notification, PhoneCallTask

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
        items.append(more_item("meeting", 1, reverse("meetings:meeting_list")))
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
                badge=late_by(first, now) if first else "",
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
        urgency, tone, badge = NOW, "bad", f"{clock_name} {late_by(due, now)}"
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
        staff = staff_of(user)
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
        items.append(more_item("fault", qs.count() - LIMIT, reverse("faults:fault_list")))
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
                "已等待 %(n)s 分钟", "已等待 %(n)s 分钟", minutes_of(now - call.created_at)
            )
            % {"n": minutes_of(now - call.created_at)},
            tone="bad",
            url=desk,
            due_at=call.created_at,
        )
        for call in calls[:LIMIT]
    ]
    if len(calls) > LIMIT:
        items.append(more_item("phone_call", qs.count() - LIMIT, desk))
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

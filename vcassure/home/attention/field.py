"""Sources for field staff: one's own next tasks, today's inspections and the next shift."""

from datetime import datetime, timedelta

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from vcassure.accounts.types import UserLike
from vcassure.core.templatetags.vca_time import when
from vcassure.duty.models import Shift
from vcassure.home.attention.base import LATER, LIMIT, NOW, SOON, AttentionItem, staff_of
from vcassure.meetings.models import Meeting, SupportTask
from vcassure.routine.models import Inspection

# --- one's own next tasks (township staff) --------------------------------------------------------


def my_next_tasks(user: UserLike, now: datetime) -> list[AttentionItem]:
    staff = staff_of(user)
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


def my_inspections_today(user: UserLike, now: datetime) -> list[AttentionItem]:
    """The person's own open inspections of today (and earlier ones still open)."""
    staff = staff_of(user)
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


def my_next_shift(user: UserLike, now: datetime) -> list[AttentionItem]:
    """The person's shift under way or next to come."""
    staff = staff_of(user)
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

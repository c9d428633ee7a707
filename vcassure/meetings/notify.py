"""Turning a meeting event into messages: one digest per IM group (who must be where by when,
with @mentions) and one personal notice per person with a task, carrying their ack link."""

from collections import defaultdict
from collections.abc import Callable

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from vcassure.core.errors import ConflictError
from vcassure.core.subjects import meeting_ref, task_ref
from vcassure.core.timefmt import month_day_hhmm
from vcassure.meetings.models import Meeting, MeetingEvent, SupportTask
from vcassure.notifications.channels import escaping
from vcassure.notifications.models import Notification
from vcassure.notifications.services import (
    PersonalMessage,
    check_group_coverage,
    group_digests_queue,
    groups_covering,
    notifications_cancel,
    notifications_queue,
)

DIGEST_ROWS = 40


def topic_of(meeting: Meeting) -> str:
    return meeting_ref(meeting.pk)


def subject_of(task: SupportTask) -> str:
    return task_ref(task.pk)


def require_group_coverage(unit_ids) -> None:
    """R4: refuse to publish when the units concerned are not covered by two active IM groups."""
    short = check_group_coverage(unit_ids)
    if short:
        names = pgettext("list separator", "、").join(s["name"] for s in short[:10])
        raise ConflictError(
            _(
                "以下单元未被至少两个启用的即时消息群覆盖，不能发布：%(names)s。请先在“即时消息群”中配置。"
            )
            % {"names": names + (_(" 等 %(n)s 个") % {"n": len(short)} if len(short) > 10 else "")},
            errors=[
                {"field": "im_groups", "org_unit": s["org_unit"], "message": s["name"]}
                for s in short
            ],
            code="im_groups",
        )


def _task_line(task: SupportTask, esc: Callable[[object], str]) -> str:
    if task.kind == SupportTask.Kind.PATROL and task.fibre_route is not None:
        return _("光缆“%(route)s”：%(who)s，会前巡检、会中值守") % {
            "route": esc(task.fibre_route.name),
            "who": esc(task.assignee.name) if task.assignee is not None else _("(未落实)"),
        }
    if task.venue is not None:
        where = esc(task.venue.name)
    else:
        where = esc(task.department.name if task.department is not None else task.org_unit.name)
    who = esc(task.assignee.name) if task.assignee is not None else _("(未落实)")
    if task.kind == SupportTask.Kind.VENUE:
        return _("%(where)s：%(who)s，%(due)s 前到场") % {
            "where": where,
            "who": who,
            "due": month_day_hhmm(task.on_site_due_at),
        }
    return _("%(where)s：%(role)s") % {"where": where, "role": task.get_role_display()}


def _personal_body(meeting: Meeting, task: SupportTask, headline: str) -> str:
    """Plain text: each value on its line only (the channel escapes the rest when it sends)."""
    esc = escaping.one_line
    lines = [
        headline,
        _("会议：%(t)s(%(s)s)") % {"t": esc(meeting.title), "s": esc(meeting.system.name)},
        _("时间：%(a)s 至 %(b)s")
        % {"a": month_day_hhmm(meeting.starts_at), "b": month_day_hhmm(meeting.ends_at)},
    ]
    if task.kind == SupportTask.Kind.VENUE:
        lines += [
            _("会场：%(v)s") % {"v": esc(task.venue.name) if task.venue is not None else ""},
            _("到场时限：%(d)s；调试就绪时限：%(r)s")
            % {"d": month_day_hhmm(task.on_site_due_at), "r": month_day_hhmm(task.ready_due_at)},
        ]
    else:
        lines.append(_("职责：%(r)s") % {"r": task.get_role_display()})
    if task.kind == SupportTask.Kind.PATROL and task.fibre_route is not None:
        lines.append(
            _("光缆线路：%(route)s；巡检完成时限：%(r)s")
            % {"route": esc(task.fibre_route.name), "r": month_day_hhmm(task.ready_due_at)}
        )
    lines.append(_("请点击链接确认收到。"))
    return "\n".join(lines)


def _digest_lines(
    meeting: Meeting,
    event: MeetingEvent,
    kind: str,
    headline: str,
    group_tasks: list[SupportTask],
    esc: Callable[[object], str],
) -> tuple[str, list[str]]:
    """A group digest's heading and lines, with every value people typed passed through `esc`."""
    venue_tasks = [t for t in group_tasks if t.kind == SupportTask.Kind.VENUE]
    lines = [
        _("时间：%(a)s 至 %(b)s")
        % {"a": month_day_hhmm(meeting.starts_at), "b": month_day_hhmm(meeting.ends_at)},
        _("本群涉及 %(n)s 个会场、%(m)s 项协调任务。")
        % {"n": len(venue_tasks), "m": len(group_tasks) - len(venue_tasks)},
    ]
    if event.changes and kind == Notification.Kind.RESCHEDULED:
        lines.append(
            _("改期：%(old)s → %(new)s")
            % {
                "old": esc(event.changes.get("starts_at", ["", ""])[0]),
                "new": esc(event.changes.get("starts_at", ["", ""])[1]),
            }
        )
    if kind == Notification.Kind.CANCELLED:
        lines.append(_("取消原因：%(r)s") % {"r": esc(meeting.cancelled_reason)})
    lines += [f"- {_task_line(t, esc)}" for t in group_tasks[:DIGEST_ROWS]]
    if len(group_tasks) > DIGEST_ROWS:
        lines.append(
            _("……另有 %(n)s 项，详见个人通知和平台。") % {"n": len(group_tasks) - DIGEST_ROWS}
        )
    return f"{headline} {esc(meeting.title)}", lines


def notify_meeting_event(
    meeting: Meeting,
    event: MeetingEvent,
    *,
    headline: str,
    kind: str,
    tasks: list[SupportTask] | None = None,
) -> int:
    """Queue the digests and personal notices for one event. Returns the number of notices.
    `tasks`: the meeting's tasks in id order with venue, department, assignee and org_unit
    loaded, when the caller has them (publishing just wrote them); else they are read."""
    if tasks is None:
        tasks = list(
            SupportTask.objects.filter(meeting=meeting)
            .exclude(state=SupportTask.State.CANCELLED)
            .select_related("venue", "department", "assignee", "org_unit", "fibre_route")
            if kind != Notification.Kind.CANCELLED
            else SupportTask.objects.filter(meeting=meeting).select_related(
                "venue", "department", "assignee", "org_unit", "fibre_route"
            )
        )
    topic = topic_of(meeting)
    covering = groups_covering([t.org_unit.path for t in tasks])
    # A venue task belongs to the department of the coordination task above it.
    department_of = {
        t.pk: t.department_id for t in tasks if t.kind == SupportTask.Kind.COORDINATION
    }
    per_group: dict[int, list[SupportTask]] = defaultdict(list)
    groups = {}
    for task in tasks:
        department = task.department_id or (
            department_of.get(task.parent_id) if task.parent_id else None
        )
        for group in covering[task.org_unit.path]:
            if group.department_ids and department not in group.department_ids:
                continue
            groups[group.pk] = group
            per_group[group.pk].append(task)
    mentions: dict[int, list[str]] = {}
    mentioned: set[int] = set()
    for gid, group_tasks in per_group.items():
        mobiles = sorted(
            {t.assignee.mobile for t in group_tasks if t.assignee is not None and t.assignee.mobile}
        )
        mentions[gid] = mobiles
        mentioned |= {t.assignee_id for t in group_tasks if t.assignee_id}
    title = f"{headline} {meeting.title}"
    for gid, group_tasks in per_group.items():
        # The markdown's values are escaped for markdown here, where they are put in; the plain
        # text is escaped by each channel for its own format when it is sent.
        md_heading, md_lines = _digest_lines(
            meeting, event, kind, headline, group_tasks, escaping.markdown
        )
        heading, lines = _digest_lines(
            meeting, event, kind, headline, group_tasks, escaping.one_line
        )
        group_digests_queue(
            topic=topic,
            groups=[groups[gid]],
            title=title,
            markdown="\n".join([f"### {md_heading}", *md_lines]),
            text="\n".join([heading, *lines]),
            mentions={gid: mentions[gid]},
        )
    if kind != Notification.Kind.PUBLISHED:
        notifications_cancel(topic=topic)
    messages = [
        PersonalMessage(
            staff=t.assignee,
            subject=subject_of(t),
            title=title,
            body=_personal_body(meeting, t, headline),
            requires_ack=kind != Notification.Kind.CANCELLED,
        )
        for t in tasks
        if t.assignee is not None
    ]
    notifications_queue(messages, topic=topic, kind=kind, mentioned_staff_ids=mentioned)
    return len(messages)

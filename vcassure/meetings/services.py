"""Writes for meetings and their tasks. One write path per state change; each is atomic and
audited, and records a MeetingEvent for the notification capability to turn into messages."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from vcassure.core import clock
from vcassure.core.errors import ConflictError, InvalidInputError
from vcassure.core.services import audit_record
from vcassure.core.uploads import DetectedFile, display_name
from vcassure.meetings.dispatch import DispatchPlan, busy_window, dispatch_plan
from vcassure.meetings.models import (
    Meeting,
    MeetingEvent,
    MeetingVenue,
    ShareLink,
    SupportTask,
    TaskTransition,
)
from vcassure.meetings.notify import notify_meeting_event, require_group_coverage
from vcassure.meetings.permissions import can_manage_meetings
from vcassure.meetings.validation import validate_meeting_input
from vcassure.notifications.models import Notification
from vcassure.notifications.services import notifications_acknowledge

BULK_BATCH = 500


def _iso(value: datetime | None) -> str | None:
    return timezone.localtime(value).isoformat() if value else None


def _check_role(user) -> None:
    if not can_manage_meetings(user):
        raise PermissionDenied(_("您的角色只能查看会议，不能创建、发布、改期或取消会议。"))


def _check_owner(meeting: Meeting, user) -> None:
    """Out of scope looks like missing (404); in view but not owned, or a role that only follows
    meetings, is refused (403)."""
    if not Meeting.objects.visible_to(user).filter(pk=meeting.pk).exists():
        raise Meeting.DoesNotExist
    _check_role(user)
    if not Meeting.objects.owned_by(user).filter(pk=meeting.pk).exists():
        raise PermissionDenied(_("您只能查看该会议，不能修改。"))


def _notice_document_save(meeting: Meeting, upload: UploadedFile, detected: DetectedFile) -> None:
    """Stored under a name the platform chooses from the detected type (notice_upload_to); the
    person's file name is kept, cleaned, for display only."""
    meeting.notice_filename = display_name(upload.name or "", detected, default=_("通知"))
    meeting.notice_document.save(f"notice.{detected.extension}", upload, save=False)
    meeting.save(update_fields=["notice_document", "notice_filename", "updated_at"])


@transaction.atomic
def meeting_create(
    *,
    by,
    system: str,
    title: str,
    starts_at: datetime,
    ends_at: datetime,
    importance: str = "normal",
    kind: str = "meeting",
    notice_ref: str = "",
    notice_document: UploadedFile | None = None,
    main_venue: int | None = None,
    venues: list[int] | None = None,
    venue_filter: dict | None = None,
) -> Meeting:
    _check_role(by)
    data = validate_meeting_input(
        user=by,
        system=system,
        title=title,
        starts_at=starts_at,
        ends_at=ends_at,
        importance=importance,
        kind=kind,
        notice_ref=notice_ref,
        notice_document=notice_document,
        main_venue=main_venue,
        venues=venues,
        venue_filter=venue_filter,
    )
    meeting = Meeting.objects.create(
        system=data.system,
        title=data.title,
        kind=kind,
        importance=importance,
        starts_at=starts_at,
        ends_at=ends_at,
        main_venue=data.main_venue,
        notice_ref=notice_ref.strip(),
        org_unit=data.owner,
        entered_by=by if getattr(by, "is_authenticated", False) else None,
    )
    if notice_document is not None and data.notice is not None:
        _notice_document_save(meeting, notice_document, data.notice)
    MeetingVenue.objects.bulk_create(
        [MeetingVenue(meeting=meeting, venue_id=pk) for pk in data.venue_ids], batch_size=BULK_BATCH
    )
    MeetingEvent.objects.create(
        meeting=meeting,
        kind=MeetingEvent.Kind.CREATED,
        at=clock.now(),
        actor=_actor(by),
        changes={"venues": len(data.venue_ids)},
    )
    audit_record(
        actor=by,
        action="meeting.create",
        obj=meeting,
        changes={"system": system, "starts_at": _iso(starts_at), "venues": len(data.venue_ids)},
    )
    return meeting


@transaction.atomic
def meeting_update(meeting: Meeting, *, by, **fields) -> Meeting:
    """Edit a draft: the same validation as creation, then the branch venues are replaced."""
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    _check_owner(meeting, by)
    if meeting.state != Meeting.State.DRAFT:
        raise ConflictError(_("只有草稿状态的会议可以编辑；已发布的会议请使用改期或取消。"))
    current = {
        "system": meeting.system.code,
        "title": meeting.title,
        "starts_at": meeting.starts_at,
        "ends_at": meeting.ends_at,
        "importance": meeting.importance,
        "kind": meeting.kind,
        "notice_ref": meeting.notice_ref,
        "main_venue": meeting.main_venue_id,
        "venues": list(meeting.meeting_venues.values_list("venue_id", flat=True)),
        "venue_filter": None,
    }
    new = {**current, **fields}
    if fields.get("venue_filter"):
        new["venues"] = None
    notice_document = fields.get("notice_document")
    data = validate_meeting_input(user=by, **{**new, "notice_document": notice_document})
    meeting.system, meeting.title, meeting.main_venue = data.system, data.title, data.main_venue
    meeting.starts_at, meeting.ends_at = new["starts_at"], new["ends_at"]
    meeting.importance, meeting.kind, meeting.notice_ref = (
        new["importance"],
        new["kind"],
        new["notice_ref"].strip(),
    )
    meeting.save()
    if notice_document is not None and data.notice is not None:
        _notice_document_save(meeting, notice_document, data.notice)
    meeting.meeting_venues.all().delete()
    MeetingVenue.objects.bulk_create(
        [MeetingVenue(meeting=meeting, venue_id=pk) for pk in data.venue_ids], batch_size=BULK_BATCH
    )
    changed = sorted(k for k in fields if fields[k] != current.get(k))
    MeetingEvent.objects.create(
        meeting=meeting,
        kind=MeetingEvent.Kind.UPDATED,
        at=clock.now(),
        actor=_actor(by),
        changes={"fields": changed},
    )
    audit_record(actor=by, action="meeting.update", obj=meeting, changes={"fields": changed})
    return meeting


def _actor(user):
    return user if getattr(user, "is_authenticated", False) else None


def meeting_plan(meeting: Meeting) -> DispatchPlan:
    return dispatch_plan(meeting)


@transaction.atomic
def meeting_publish(
    meeting: Meeting, *, by, confirm_shortfalls: bool = False
) -> tuple[Meeting, DispatchPlan]:
    """R2 + R3 + C4: build the whole chain in one transaction with bulk writes."""
    meeting = (
        Meeting.objects.select_for_update(of=("self",))
        .select_related("org_unit", "main_venue__org_unit")
        .get(pk=meeting.pk)
    )
    _check_owner(meeting, by)
    if meeting.state != Meeting.State.DRAFT:
        raise ConflictError(_("会议已发布或已结束，不能重复发布。"), code="already_published")
    if not meeting.has_notice:
        raise InvalidInputError(
            _("发布前必须提供客户或集客部的正式会议通知(文号或文件)。"),
            errors=[{"field": "notice_ref", "message": _("缺少正式会议通知。")}],
            code="notice_required",
        )
    if meeting.starts_at <= clock.now():
        raise InvalidInputError(
            _("会议开始时间已过，请先改期再发布。"),
            errors=[{"field": "starts_at", "message": _("开始时间已过。")}],
        )
    plan = dispatch_plan(meeting)
    require_group_coverage({t.org_unit_id for t in plan.tasks})
    if plan.shortfalls and not confirm_shortfalls:
        raise ConflictError(
            _("存在 %(n)s 项人员缺口，请确认后再发布。") % {"n": len(plan.shortfalls)},
            errors=plan.shortfalls,
            code="shortfalls",
        )
    now = clock.now()
    _write_tasks(meeting, plan, by=by, now=now)
    meeting.transition_to(Meeting.State.PUBLISHED)
    meeting.published_at = now
    meeting.shortfalls = plan.shortfalls
    meeting.save(update_fields=["state", "published_at", "shortfalls", "updated_at"])
    event = MeetingEvent.objects.create(
        meeting=meeting,
        kind=MeetingEvent.Kind.PUBLISHED,
        at=now,
        actor=_actor(by),
        changes={"tasks": len(plan.tasks), "shortfalls": len(plan.shortfalls)},
    )
    notify_meeting_event(
        meeting, event, headline=_("【保障通知】"), kind=Notification.Kind.PUBLISHED
    )
    audit_record(
        actor=by,
        action="meeting.publish",
        obj=meeting,
        changes={
            "tasks": len(plan.tasks),
            "shortfalls": len(plan.shortfalls),
            "confirmed": confirm_shortfalls,
        },
    )
    return meeting, plan


def _write_tasks(meeting: Meeting, plan: DispatchPlan, *, by, now) -> None:
    """Insert parents before children, level by level, so that every task knows its parent's id."""
    ids: dict[str, int] = {}
    pending = list(plan.tasks)
    created: list[SupportTask] = []
    while pending:
        ready = [t for t in pending if t.parent_key is None or t.parent_key in ids]
        if not ready:
            raise RuntimeError("dispatch plan has a task whose parent is missing")
        rows = [
            SupportTask(
                meeting=meeting,
                kind=t.kind,
                role=t.role,
                org_unit_id=t.org_unit_id,
                parent_id=ids.get(t.parent_key) if t.parent_key else None,
                department_id=t.department_id,
                venue_id=t.venue_id,
                assignee_id=t.assignee_id,
                assignment=t.assignment,
                on_site_due_at=t.on_site_due_at,
                ready_due_at=t.ready_due_at,
                shutdown_due_at=t.shutdown_due_at,
                busy_from=t.busy_from,
                busy_until=t.busy_until,
                created_at=now,
            )
            for t in ready
        ]
        SupportTask.objects.bulk_create(rows, batch_size=BULK_BATCH)
        for planned, row in zip(ready, rows, strict=True):
            ids[planned.key] = row.pk
        created += rows
        done = {t.key for t in ready}
        pending = [t for t in pending if t.key not in done]
    actor = _actor(by)
    TaskTransition.objects.bulk_create(
        [
            TaskTransition(
                task=row, from_state="", to_state=SupportTask.State.PENDING, at=now, actor=actor
            )
            for row in created
        ],
        batch_size=BULK_BATCH,
    )


@transaction.atomic
def meeting_reschedule(meeting: Meeting, *, by, starts_at: datetime, ends_at: datetime) -> Meeting:
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    _check_owner(meeting, by)
    if meeting.state not in (Meeting.State.DRAFT, Meeting.State.PUBLISHED):
        raise ConflictError(
            _("会议状态为“%(state)s”，不能改期。") % {"state": meeting.get_state_display()},
            code="invalid_state",
        )
    errors = []
    if ends_at <= starts_at:
        errors.append({"field": "ends_at", "message": _("结束时间必须晚于开始时间。")})
    if starts_at <= clock.now():
        errors.append({"field": "starts_at", "message": _("开始时间不能早于当前时间。")})
    if errors:
        raise InvalidInputError(_("改期信息有误。"), errors=errors)
    if (starts_at, ends_at) == (meeting.starts_at, meeting.ends_at):
        raise InvalidInputError(
            _("新的时间与原时间相同。"),
            errors=[{"field": "starts_at", "message": _("时间未变化。")}],
        )
    changes = {
        "starts_at": [_iso(meeting.starts_at), _iso(starts_at)],
        "ends_at": [_iso(meeting.ends_at), _iso(ends_at)],
    }
    meeting.starts_at, meeting.ends_at = starts_at, ends_at
    meeting.save(update_fields=["starts_at", "ends_at", "updated_at"])
    _reset_deadlines(meeting)
    event = MeetingEvent.objects.create(
        meeting=meeting,
        kind=MeetingEvent.Kind.RESCHEDULED,
        at=clock.now(),
        actor=_actor(by),
        changes=changes,
    )
    if meeting.state == Meeting.State.PUBLISHED:
        notify_meeting_event(
            meeting, event, headline=_("【改期通知】"), kind=Notification.Kind.RESCHEDULED
        )
    audit_record(actor=by, action="meeting.reschedule", obj=meeting, changes=changes)
    return meeting


def _reset_deadlines(meeting: Meeting) -> None:
    from vcassure.meetings.dispatch import READY_LEAD, SHUTDOWN_GRACE

    busy_from, busy_until = busy_window(meeting)
    tasks = SupportTask.objects.filter(meeting=meeting).exclude(state=SupportTask.State.CANCELLED)
    ready_due = meeting.starts_at - READY_LEAD
    tasks.filter(kind=SupportTask.Kind.COORDINATION).update(
        ready_due_at=ready_due, updated_at=clock.now()
    )
    venue_tasks = tasks.filter(kind=SupportTask.Kind.VENUE)
    venue_tasks.update(
        on_site_due_at=meeting.starts_at - meeting.on_site_lead,
        ready_due_at=ready_due,
        shutdown_due_at=meeting.ends_at + SHUTDOWN_GRACE,
        updated_at=clock.now(),
    )
    venue_tasks.filter(assignee__isnull=False).update(busy_from=busy_from, busy_until=busy_until)


@transaction.atomic
def meeting_cancel(meeting: Meeting, *, by, reason: str) -> Meeting:
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    _check_owner(meeting, by)
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInputError(
            _("请填写取消原因。"), errors=[{"field": "reason", "message": _("取消原因不能为空。")}]
        )
    meeting.transition_to(Meeting.State.CANCELLED)
    meeting.cancelled_reason = reason[:500]
    meeting.save(update_fields=["state", "cancelled_reason", "updated_at"])
    now = clock.now()
    open_tasks = list(SupportTask.objects.filter(meeting=meeting).open().only("id", "state"))
    TaskTransition.objects.bulk_create(
        [
            TaskTransition(
                task_id=t.pk,
                from_state=t.state,
                to_state=SupportTask.State.CANCELLED,
                at=now,
                actor=_actor(by),
                note=reason[:500],
            )
            for t in open_tasks
        ],
        batch_size=BULK_BATCH,
    )
    SupportTask.objects.filter(pk__in=[t.pk for t in open_tasks]).update(
        state=SupportTask.State.CANCELLED, updated_at=now
    )
    event = MeetingEvent.objects.create(
        meeting=meeting,
        kind=MeetingEvent.Kind.CANCELLED,
        at=now,
        actor=_actor(by),
        changes={"reason": reason, "tasks": len(open_tasks)},
    )
    if meeting.published_at is not None:
        notify_meeting_event(
            meeting, event, headline=_("【取消通知】"), kind=Notification.Kind.CANCELLED
        )
    audit_record(actor=by, action="meeting.cancel", obj=meeting, changes={"reason": reason})
    return meeting


@transaction.atomic
def support_task_transition(task: SupportTask, *, by, to_state: str, note: str = "") -> SupportTask:
    """The one write path for a task's state: checks the move, records who and when."""
    task = SupportTask.objects.select_for_update().get(pk=task.pk)
    from_state = task.state
    if to_state == SupportTask.State.FAULTY:
        task.state_before_fault = from_state
    task.transition_to(to_state)
    now = clock.now()
    fields = ["state", "state_before_fault", "updated_at"]
    if to_state == SupportTask.State.ACKNOWLEDGED and task.acknowledged_at is None:
        task.acknowledged_at = now
        fields.append("acknowledged_at")
    task.save(update_fields=fields)
    TaskTransition.objects.create(
        task=task,
        from_state=from_state,
        to_state=to_state,
        at=now,
        actor=_actor(by),
        note=note[:500],
    )
    return task


@dataclass(frozen=True)
class TaskAck:
    """An acknowledgement of a task: by its assignee (assignee_id set: only if still theirs)."""

    task_id: int
    at: datetime
    via: str = ""
    by: Any = None
    assignee_id: int | None = None


def support_tasks_acknowledge(items: list[TaskAck]) -> int:
    """Tasks acknowledged (link, page or API), many at once: each pending or notified task moves to
    acknowledged once, with its transition; a task that moved on, or (with assignee_id) is no longer
    that person's, is left alone. One locked read, one UPDATE, one INSERT. Returns how many moved."""
    # No savepoint: callers run it inside their own transaction, and any error here aborts theirs.
    with transaction.atomic(savepoint=False):
        open_tasks = {
            t.pk: t
            for t in SupportTask.objects.select_for_update()
            .only("id", "state", "acknowledged_at", "assignee_id", "updated_at")
            .filter(
                pk__in={i.task_id for i in items},
                state__in=[SupportTask.State.PENDING, SupportTask.State.NOTIFIED],
            )
            .order_by("pk")
        }
        now = clock.now()
        moved: list[SupportTask] = []
        transitions = []
        for item in items:
            task = open_tasks.get(item.task_id)
            if task is None or (
                item.assignee_id is not None and task.assignee_id != item.assignee_id
            ):
                continue
            del open_tasks[item.task_id]  # a task moves once
            from_state = task.state
            task.transition_to(SupportTask.State.ACKNOWLEDGED)
            task.acknowledged_at, task.updated_at = item.at, now
            moved.append(task)
            transitions.append(
                TaskTransition(
                    task=task,
                    from_state=from_state,
                    to_state=task.state,
                    at=item.at,
                    actor=_actor(item.by),
                    note=item.via[:500],
                )
            )
        if moved:
            TaskTransition.objects.bulk_create(transitions)
            # Each task takes the time of its own acknowledgement from the transition just written:
            # one short UPDATE however many tasks (a CASE per task costs more than the batch).
            SupportTask.objects.filter(pk__in=[t.pk for t in moved]).update(
                state=SupportTask.State.ACKNOWLEDGED,
                updated_at=now,
                acknowledged_at=Subquery(
                    TaskTransition.objects.filter(
                        task_id=OuterRef("pk"), to_state=SupportTask.State.ACKNOWLEDGED
                    )
                    .order_by("-id")
                    .values("at")[:1]
                ),
            )
        return len(moved)


def support_task_acknowledge(
    task: SupportTask | int, *, by=None, via: str = "", at=None, assignee_id: int | None = None
) -> bool:
    """The assignee acknowledged the task. Idempotent: False if it already was, or has moved on,
    or (with `assignee_id`) the task is no longer that person's."""
    task_id = task if isinstance(task, int) else task.pk
    return bool(
        support_tasks_acknowledge(
            [
                TaskAck(
                    task_id=task_id, at=at or clock.now(), via=via, by=by, assignee_id=assignee_id
                )
            ]
        )
    )


def support_task_mark_notified(task: SupportTask, *, channel: str, at=None) -> bool:
    """The first notice reached the assignee: pending → notified (no-op otherwise)."""
    now = at or clock.now()
    moved = SupportTask.objects.filter(pk=task.pk, state=SupportTask.State.PENDING).update(
        state=SupportTask.State.NOTIFIED, updated_at=now
    )
    if moved:
        TaskTransition.objects.create(
            task_id=task.pk,
            from_state=SupportTask.State.PENDING,
            to_state=SupportTask.State.NOTIFIED,
            at=now,
            note=channel[:500],
        )
    return bool(moved)


def task_acknowledge(task: SupportTask, *, by, via: str) -> bool:
    """Acknowledge a task from a page or the API: by its assignee, or on their behalf by someone
    who manages meetings in its scope (after a phone call, say). Idempotent."""
    staff = getattr(by, "staff_profile", None)
    is_assignee = staff is not None and task.assignee_id == staff.pk
    if not is_assignee:
        if not SupportTask.objects.visible_to(by).filter(pk=task.pk).exists():
            raise SupportTask.DoesNotExist
        _check_role(by)
    if task.assignee_id is None:
        raise ConflictError(_("该任务尚未落实保障人员，无法确认。"), code="unassigned")
    if task.state == SupportTask.State.CANCELLED:
        raise ConflictError(_("该任务已取消，无需确认。"), code="cancelled")
    with transaction.atomic():
        # The notice's acknowledgement moves the task through the signal; the direct call covers a
        # task whose person was never sent a notice.
        noticed = notifications_acknowledge(
            recipient_id=task.assignee_id, subject=f"task:{task.pk}", via=via, by=by
        )
        moved = support_task_acknowledge(
            task, by=by, via=via if is_assignee else f"{via}:on_behalf"
        )
        return noticed or moved


# --- Share links for the customer (C7) ---

SHARE_LINK_MAX_DAYS = 30


def _check_can_share(meeting: Meeting, user) -> None:
    """Whoever sees the meeting and manages meetings may share what they see; the rest: 404 out of
    scope, 403 for a role that only follows meetings."""
    if not Meeting.objects.visible_to(user).filter(pk=meeting.pk).exists():
        raise Meeting.DoesNotExist
    if not can_manage_meetings(user):
        raise PermissionDenied(_("只有调度员、部门负责人和管理员可以管理分享链接。"))


@transaction.atomic
def share_link_create(meeting: Meeting, *, by, expires_at: datetime) -> ShareLink:
    """A read-only link to the meeting's readiness, limited to what `by` sees of it."""
    from vcassure.meetings.selectors import dashboard_root

    _check_can_share(meeting, by)
    meeting = Meeting.objects.select_related("org_unit").get(pk=meeting.pk)  # the current state
    if meeting.state in (Meeting.State.DRAFT, Meeting.State.CANCELLED):
        raise ConflictError(_("只有已发布的会议可以分享。"), code="not_published")
    now = clock.now()
    if expires_at <= now:
        raise InvalidInputError(
            _("有效期必须晚于现在。"),
            errors=[{"field": "expires_at", "message": _("有效期必须晚于现在。")}],
        )
    if expires_at > now + timedelta(days=SHARE_LINK_MAX_DAYS):
        message = _("有效期最长 %(days)s 天。") % {"days": SHARE_LINK_MAX_DAYS}
        raise InvalidInputError(message, errors=[{"field": "expires_at", "message": message}])
    link = ShareLink.objects.create(
        meeting=meeting,
        org_unit=dashboard_root(meeting, user=by),
        created_by=_actor(by),
        created_at=now,
        expires_at=expires_at,
    )
    audit_record(
        actor=by,
        action="share_link.create",
        obj=link,
        changes={
            "meeting": meeting.pk,
            "org_unit": link.org_unit_id,
            "expires_at": _iso(expires_at),
        },
    )
    return link


@transaction.atomic
def share_link_revoke(link: ShareLink, *, by) -> ShareLink:
    """Revoke a link at once (idempotent). A link made for a wider scope than `by` sees is missing."""
    from vcassure.orgs.scoping import EVERYTHING, user_scope_path

    link = (
        ShareLink.objects.select_for_update(of=("self",))
        .select_related("meeting", "org_unit")
        .get(pk=link.pk)
    )
    _check_can_share(link.meeting, by)
    path = user_scope_path(by)
    if not isinstance(path, str) or (
        path != EVERYTHING and not link.org_unit.path.startswith(path)
    ):
        raise ShareLink.DoesNotExist
    if link.revoked_at is None:
        link.revoked_at = clock.now()
        link.save(update_fields=["revoked_at"])
        audit_record(
            actor=by, action="share_link.revoke", obj=link, changes={"meeting": link.meeting_id}
        )
    return link

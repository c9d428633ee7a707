"""Writes for meetings and their tasks. One write path per state change; each is atomic and
audited, and records a MeetingEvent for the notification capability to turn into messages."""

from datetime import datetime

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from vcassure.accounts.types import UserLike, actor
from vcassure.core import clock
from vcassure.core.errors import ConflictError, InvalidInputError
from vcassure.core.services import audit_record
from vcassure.core.stored_files import stored_file_track, uploads_guarded
from vcassure.core.uploads import DetectedFile, display_name
from vcassure.meetings.dispatch import (
    READY_LEAD,
    SHUTDOWN_GRACE,
    busy_window,
)
from vcassure.meetings.models import (
    Meeting,
    MeetingEvent,
    MeetingVenue,
    SupportTask,
)
from vcassure.meetings.notify import notify_meeting_event
from vcassure.meetings.services._common import check_owner, check_role
from vcassure.meetings.services._common import iso as _iso
from vcassure.meetings.services.tasks import (
    support_tasks_transition,
    tasks_for_move,
)
from vcassure.meetings.signals import meeting_rescheduled, meeting_state_changed
from vcassure.meetings.validation import validate_meeting_input
from vcassure.notifications.models import Notification

BULK_BATCH = 500

# The event recorded with each move of a meeting's state.
MOVE_EVENTS = {
    Meeting.State.PUBLISHED: MeetingEvent.Kind.PUBLISHED,
    Meeting.State.IN_PROGRESS: MeetingEvent.Kind.STARTED,
    Meeting.State.ENDED: MeetingEvent.Kind.ENDED,
    Meeting.State.CANCELLED: MeetingEvent.Kind.CANCELLED,
    Meeting.State.CLOSED: MeetingEvent.Kind.CLOSED,
}


def meeting_move(
    meeting: Meeting,
    *,
    to: str,
    at: datetime,
    by: "UserLike | None" = None,
    fields: tuple[str, ...] = (),
    changes: dict | None = None,
) -> MeetingEvent:
    """The one write path for a meeting's state (the caller holds the row locked): checks the move,
    saves the state with `fields` the caller set, records the event, and tells the apps above
    (webhooks) once the move is committed."""
    from_state = meeting.state
    meeting.transition_to(to)
    meeting.save(update_fields=["state", *fields, "updated_at"])
    transaction.on_commit(
        lambda: meeting_state_changed.send(
            sender=Meeting, meeting=meeting, from_state=from_state, to_state=to, at=at
        )
    )
    return MeetingEvent.objects.create(
        meeting=meeting,
        kind=MOVE_EVENTS[Meeting.State(to)],
        at=at,
        actor=actor(by),
        changes=changes or {},
    )


def _notice_document_save(meeting: Meeting, upload: UploadedFile, detected: DetectedFile) -> None:
    """Stored under a name the platform chooses from the detected type (notice_upload_to); the
    person's file name is kept, cleaned, for display only."""
    meeting.notice_filename = display_name(upload.name or "", detected, default=_("通知"))
    meeting.notice_document.save(f"notice.{detected.extension}", upload, save=False)
    stored_file_track(meeting.notice_document)
    meeting.save(update_fields=["notice_document", "notice_filename", "updated_at"])


@uploads_guarded
@transaction.atomic
def meeting_create(
    *,
    by: UserLike,
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
    check_role(by)
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
        entered_by=actor(by),
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
        actor=actor(by),
        changes={"venues": len(data.venue_ids)},
    )
    audit_record(
        actor=by,
        action="meeting.create",
        obj=meeting,
        changes={"system": system, "starts_at": _iso(starts_at), "venues": len(data.venue_ids)},
    )
    return meeting


@uploads_guarded
@transaction.atomic
def meeting_update(meeting: Meeting, *, by: UserLike, **fields) -> Meeting:
    """Edit a draft: the same validation as creation, then the branch venues are replaced."""
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    check_owner(meeting, by)
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
        actor=actor(by),
        changes={"fields": changed},
    )
    audit_record(actor=by, action="meeting.update", obj=meeting, changes={"fields": changed})
    return meeting


@transaction.atomic
def meeting_reschedule(
    meeting: Meeting, *, by: UserLike, starts_at: datetime, ends_at: datetime
) -> Meeting:
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    check_owner(meeting, by)
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
        actor=actor(by),
        changes=changes,
    )
    if meeting.state == Meeting.State.PUBLISHED:
        notify_meeting_event(
            meeting, event, headline=_("【改期通知】"), kind=Notification.Kind.RESCHEDULED
        )
    audit_record(actor=by, action="meeting.reschedule", obj=meeting, changes=changes)
    previous = {"starts_at": changes["starts_at"][0], "ends_at": changes["ends_at"][0]}
    transaction.on_commit(
        lambda: meeting_rescheduled.send(
            sender=Meeting, meeting=meeting, previous=previous, at=event.at
        )
    )
    return meeting


def _reset_deadlines(meeting: Meeting) -> None:

    busy_from, busy_until = busy_window(meeting)
    tasks = SupportTask.objects.filter(meeting=meeting).exclude(state=SupportTask.State.CANCELLED)
    ready_due = meeting.starts_at - READY_LEAD
    tasks.filter(kind=SupportTask.Kind.COORDINATION).update(
        ready_due_at=ready_due, updated_at=clock.now()
    )
    venue_tasks = tasks.filter(kind__in=[SupportTask.Kind.VENUE, SupportTask.Kind.PATROL])
    venue_tasks.update(
        on_site_due_at=meeting.starts_at - meeting.on_site_lead,
        ready_due_at=ready_due,
        shutdown_due_at=meeting.ends_at + SHUTDOWN_GRACE,
        updated_at=clock.now(),
    )
    venue_tasks.filter(assignee__isnull=False).update(busy_from=busy_from, busy_until=busy_until)


@transaction.atomic
def meeting_cancel(meeting: Meeting, *, by: UserLike, reason: str) -> Meeting:
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    check_owner(meeting, by)
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInputError(
            _("请填写取消原因。"), errors=[{"field": "reason", "message": _("取消原因不能为空。")}]
        )
    now = clock.now()
    open_tasks = tasks_for_move(SupportTask.objects.filter(meeting=meeting).open())
    meeting.cancelled_reason = reason[:500]
    event = meeting_move(
        meeting,
        to=Meeting.State.CANCELLED,
        at=now,
        by=by,
        fields=("cancelled_reason",),
        changes={"reason": reason, "tasks": len(open_tasks)},
    )
    support_tasks_transition(
        open_tasks, to=SupportTask.State.CANCELLED, by=by, at=now, note=reason[:500]
    )
    if meeting.published_at is not None:
        notify_meeting_event(
            meeting, event, headline=_("【取消通知】"), kind=Notification.Kind.CANCELLED
        )
    audit_record(actor=by, action="meeting.cancel", obj=meeting, changes={"reason": reason})
    return meeting

"""Meetings and their tasks (SPEC §6). Every endpoint reads through the selectors (scoped by
`visible_to`, so another scope's meeting is a 404) and writes through the services."""

import json
from collections import Counter
from datetime import UTC, date, datetime, time, timedelta

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router, Status
from ninja.pagination import paginate
from pydantic import ValidationError as PydanticValidationError

from vcassure.core.api import LimitOffsetPagination
from vcassure.core.errors import ApplicationError, ConflictError, InvalidInputError
from vcassure.core.idempotency import idempotent
from vcassure.core.schemas import ErrorOut
from vcassure.faults.models import Fault
from vcassure.meetings import selectors, services
from vcassure.meetings.models import Meeting
from vcassure.meetings.permissions import can_manage_meetings
from vcassure.meetings.schemas import (
    AckLinkOut,
    AckOut,
    CancelIn,
    CheckInIn,
    CheckInOut,
    ConflictsOut,
    LinkAckOut,
    MeetingFilter,
    MeetingIn,
    MeetingOut,
    MyTaskFilter,
    PlanOut,
    PublishIn,
    PublishOut,
    RescheduleIn,
    ShortfallConflictOut,
    StatusFilter,
    StatusOut,
    StepIn,
    StepRecordOut,
    TaskFilter,
    TaskOut,
)
from vcassure.meetings.services import field_work as field
from vcassure.notifications.services import (
    AckError,
    notification_ack_by_token,
    notification_from_token,
)
from vcassure.orgs.models import OrgUnit

router = Router(tags=["meetings"])

READ_ERRORS = {404: ErrorOut}
WRITE_ERRORS = {403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}
ACK_LINK_ERRORS = {400: ErrorOut, 404: ErrorOut, 409: ErrorOut, 410: ErrorOut}


def _require_manager(request: HttpRequest) -> None:
    if not can_manage_meetings(request.user):
        raise PermissionDenied(_("您的角色只能查看会议，不能创建、发布、改期或取消会议。"))


def _meeting(request: HttpRequest, meeting_id: int) -> Meeting:
    return selectors.meeting_get(user=request.user, pk=meeting_id)


def _bound(value: date | datetime | None, *, end: bool) -> datetime | None:
    """A date filter means local midnight; as an upper bound it includes that whole day. The
    database gets UTC (PostgreSQL refuses offsets past ±15:59); past either end of the calendar the
    bound is the calendar's end."""
    if value is None:
        return None
    try:
        if not isinstance(value, datetime):
            value = datetime.combine(value + timedelta(days=1) if end else value, time.min)
        value = timezone.make_aware(value) if timezone.is_naive(value) else value
        return value.astimezone(UTC)
    except OverflowError:
        return (datetime.min if value.year < 5000 else datetime.max).replace(tzinfo=UTC)


# --- meetings -----------------------------------------------------------------------------------


@router.post(
    "/meetings", response={201: MeetingOut, **WRITE_ERRORS}, summary="Create a draft meeting"
)
@idempotent
def meeting_create(request: HttpRequest, payload: MeetingIn):
    """Branch venues either by id (`venues`) or by `venue_filter`: all active branch venues of the
    system under `org_units` at `levels`, within the caller's scope."""
    _require_manager(request)
    if payload.venues is not None and payload.venue_filter is not None:
        raise InvalidInputError(
            _("会议信息有误，请修改后重试。"),
            errors=[
                {
                    "field": "venue_filter",
                    "message": _("请只使用 venues 或 venue_filter 其中之一。"),
                }
            ],
        )
    meeting = services.meeting_create(
        # Missing times are reported by the service's validation with the other problems.
        by=request.user,
        system=payload.system,
        title=payload.title,
        starts_at=payload.starts_at,  # type: ignore[arg-type]
        ends_at=payload.ends_at,  # type: ignore[arg-type]
        importance=payload.importance,
        kind=payload.kind,
        notice_ref=payload.notice_ref,
        main_venue=payload.main_venue,
        venues=payload.venues,
        venue_filter=payload.venue_filter.model_dump()
        if payload.venue_filter is not None
        else None,
    )
    return Status(201, meeting)


@router.get("/meetings", response=list[MeetingOut], summary="Meetings in the caller's scope")
@paginate(LimitOffsetPagination)
def meeting_list(request: HttpRequest, filters: Query[MeetingFilter]):
    return selectors.meeting_list(
        user=request.user,
        state=filters.state or "",
        system=filters.system,
        starts_from=_bound(filters.starts_from, end=False),
        starts_to=_bound(filters.starts_to, end=True),
        org_unit=filters.org_unit,
        q=filters.q,
    )


@router.get("/meetings/{int:meeting_id}", response={200: MeetingOut, **READ_ERRORS})
def meeting_detail(request: HttpRequest, meeting_id: int):
    return _meeting(request, meeting_id)


@router.post(
    "/meetings/{int:meeting_id}/publish",
    response={200: PublishOut, **WRITE_ERRORS, 409: ShortfallConflictOut},
    summary="Publish: build the dual-track chain (R2) and the venue tasks",
)
def meeting_publish(request: HttpRequest, meeting_id: int, payload: PublishIn | None = None):
    """409 with `shortfalls` when staffing falls short and `confirm_shortfalls` is not true."""
    meeting = _meeting(request, meeting_id)  # another scope's meeting: 404 before any 403
    _require_manager(request)
    confirm = bool(payload and payload.confirm_shortfalls)  # no body: not confirmed
    try:
        meeting, plan = services.meeting_publish(
            meeting, by=request.user, confirm_shortfalls=confirm
        )
    except ConflictError as exc:
        if exc.code != "shortfalls":
            raise
        return Status(409, {"detail": exc.message, "errors": exc.errors, "shortfalls": exc.errors})
    return {"tasks": len(plan.tasks), "shortfalls": plan.shortfalls}


@router.post("/meetings/{int:meeting_id}/reschedule", response={200: MeetingOut, **WRITE_ERRORS})
def meeting_reschedule(request: HttpRequest, meeting_id: int, payload: RescheduleIn):
    meeting = _meeting(request, meeting_id)  # another scope's meeting: 404 before any 403
    _require_manager(request)
    services.meeting_reschedule(
        meeting, by=request.user, starts_at=payload.starts_at, ends_at=payload.ends_at
    )
    return _meeting(request, meeting_id)


@router.post("/meetings/{int:meeting_id}/cancel", response={200: MeetingOut, **WRITE_ERRORS})
def meeting_cancel(request: HttpRequest, meeting_id: int, payload: CancelIn):
    meeting = _meeting(request, meeting_id)  # another scope's meeting: 404 before any 403
    _require_manager(request)
    services.meeting_cancel(meeting, by=request.user, reason=payload.reason)
    return _meeting(request, meeting_id)


@router.get(
    "/meetings/{int:meeting_id}/plan",
    response={200: PlanOut, 403: ErrorOut, 404: ErrorOut},
    summary="Staffing preview before publishing: planned tasks and shortfalls",
)
def meeting_plan(request: HttpRequest, meeting_id: int):
    meeting = _meeting(request, meeting_id)  # another scope's meeting: 404 before any 403
    _require_manager(request)
    if not Meeting.objects.owned_by(request.user).filter(pk=meeting.pk).exists():
        raise PermissionDenied(_("您只能查看该会议，不能修改。"))
    plan = services.meeting_plan(meeting)
    return {
        "tasks": len(plan.tasks),
        "venue_tasks": plan.venue_task_count,
        "by_role": dict(Counter(t.role for t in plan.tasks)),
        "by_assignment": dict(Counter(t.assignment for t in plan.tasks if t.kind == "venue")),
        "shortfalls": plan.shortfalls,
    }


@router.get(
    "/meetings/{int:meeting_id}/conflicts",
    response={200: ConflictsOut, **READ_ERRORS},
    summary="Venues and people also needed by another overlapping meeting",
)
def meeting_conflicts(request: HttpRequest, meeting_id: int):
    meeting = _meeting(request, meeting_id)
    return selectors.meeting_conflicts(meeting, user=request.user)


# --- tasks and status ---------------------------------------------------------------------------


@router.get(
    "/meetings/{int:meeting_id}/tasks",
    response=list[TaskOut],
    summary="Tasks of a meeting in the caller's scope",
)
@paginate(LimitOffsetPagination)
def meeting_task_list(request: HttpRequest, meeting_id: int, filters: Query[TaskFilter]):
    meeting = _meeting(request, meeting_id)
    return selectors.task_list(
        user=request.user,
        meeting=meeting,
        state=filters.state or "",
        org_unit=filters.org_unit,
        kind=filters.kind or "",
    )


@router.get(
    "/meetings/{int:meeting_id}/status",
    response={200: StatusOut, **READ_ERRORS},
    summary="Venue-task counts by state, roll-ups per unit, overdue tasks",
)
def meeting_status(request: HttpRequest, meeting_id: int, filters: Query[StatusFilter]):
    meeting = _meeting(request, meeting_id)
    parent = None
    if filters.org_unit is not None:
        parent = OrgUnit.objects.visible_to(request.user).get(pk=filters.org_unit)
    return selectors.meeting_status(meeting, user=request.user, parent=parent)


@router.get(
    "/tasks",
    response=list[TaskOut],
    summary="With mine=true the caller's own tasks; else tasks in scope",
)
@paginate(LimitOffsetPagination)
def task_list(request: HttpRequest, filters: Query[MyTaskFilter]):
    return selectors.task_list(
        user=request.user, mine=filters.mine, state=filters.state or "", kind=filters.kind or ""
    )


# --- acknowledgement ----------------------------------------------------------------------------

ACK_STATUS = {"invalid": 404, "expired": 410, "cancelled": 409}


def _ack_error(exc: AckError):
    return Status(
        ACK_STATUS.get(exc.code, 400), {"detail": exc.reason, "errors": [{"code": exc.code}]}
    )


@router.post(
    "/tasks/{int:task_id}/ack",
    response={200: AckOut, **WRITE_ERRORS},
    summary="Acknowledge a task; idempotent",
)
def task_ack(request: HttpRequest, task_id: int):
    task = selectors.task_get(user=request.user, pk=task_id)
    first = services.task_acknowledge(task, by=request.user, via="api")
    task.refresh_from_db()
    return {
        "acknowledged": True,
        "first_time": first,
        "acknowledged_at": task.acknowledged_at,
        "task": task,
    }


@router.get(
    "/ack/{token}",
    auth=None,
    response={200: AckLinkOut, **ACK_LINK_ERRORS},
    summary="What a personal acknowledgement link shows (the token is the credential)",
)
def ack_link(request: HttpRequest, token: str):
    try:
        notification = notification_from_token(token)
    except AckError as exc:
        return _ack_error(exc)
    return {
        "title": notification.title,
        "body": notification.body,
        "ack_due_at": notification.ack_due_at,
        "acknowledged_at": notification.acknowledged_at,
        "used": notification.token_used_at is not None,
        "task": selectors.ack_task(notification),
    }


@router.post(
    "/ack/{token}",
    auth=None,
    response={200: LinkAckOut, **ACK_LINK_ERRORS},
    summary="Acknowledge through a personal link: bound to one person and task, expiring, single use",
)
def ack_link_post(request: HttpRequest, token: str):
    try:
        ack = notification_ack_by_token(token)
    except AckError as exc:
        if exc.code != "used":
            return _ack_error(exc)
        notification = notification_from_token(token)  # a repeat: the same answer, nothing new
        return {
            "acknowledged": True,
            "first_time": False,
            "acknowledged_at": notification.acknowledged_at,
        }
    return {
        "acknowledged": True,
        "first_time": ack.first_time,
        "acknowledged_at": ack.acknowledged_at,
    }


# --- field work (C6) ----------------------------------------------------------------------------


@router.post(
    "/tasks/{int:task_id}/check-in",
    response={200: CheckInOut, **WRITE_ERRORS},
    summary="On site: check in with an optional location; idempotent (the first check-in counts)",
)
def task_check_in(request: HttpRequest, task_id: int, payload: CheckInIn | None = None):
    task = selectors.task_get(user=request.user, pk=task_id)
    field.support_task_check_in(
        task,
        by=request.user,
        lat=payload.lat if payload else None,
        lng=payload.lng if payload else None,
    )
    return {"task": selectors.task_get(user=request.user, pk=task_id)}


STEP_FIELDS = dict(StepIn.model_json_schema()["properties"])
STEP_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {"schema": StepIn.model_json_schema()},
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["result"],
                    "properties": {
                        **STEP_FIELDS,
                        "photos": {
                            "type": "array",
                            "maxItems": 4,
                            "items": {"type": "string", "format": "binary"},
                            "description": "JPEG, PNG or WebP, 10 MB each at most",
                        },
                    },
                }
            },
        },
    }
}


def _step_input(request: HttpRequest) -> tuple[StepIn, list]:
    """JSON, or a form (multipart with the photos as files named "photos")."""
    if request.content_type in ("multipart/form-data", "application/x-www-form-urlencoded"):
        raw: object = {
            k: request.POST[k] for k in ("result", "note", "template") if k in request.POST
        }
        photos = request.FILES.getlist("photos")
    else:
        try:
            raw = json.loads(request.body or b"{}")
        except ValueError as exc:  # a 400, as for the bodies ninja parses (config/api.py)
            raise ApplicationError(
                _("请求体不是有效的 JSON。"), errors=[{"field": "body", "message": str(exc)}]
            ) from exc
        photos = []
    try:
        return StepIn.model_validate(raw), photos
    except PydanticValidationError as exc:
        errors = [
            {"loc": list(e.get("loc", [])), "msg": str(e.get("msg", "")), "type": e.get("type", "")}
            for e in exc.errors()
        ]
        raise InvalidInputError(_("请求参数无效。"), errors=errors) from exc


@router.post(
    "/tasks/{int:task_id}/steps/{int:number}",
    response={200: StepRecordOut, **WRITE_ERRORS},
    openapi_extra=STEP_BODY,
    summary="Record a checklist step: pass, or fail with a note (a fail opens a fault)",
)
@idempotent
def task_step_record(request: HttpRequest, task_id: int, number: int):
    """Steps go in order; steps 1–3 before the meeting ends, step 4 only after it (409 otherwise).
    JSON `{"result", "note", "template"}`, or multipart with up to 4 photos as files `photos`."""
    task = selectors.task_get(user=request.user, pk=task_id)
    data, photos = _step_input(request)
    record = field.support_task_record_step(
        task,
        by=request.user,
        number=number,
        result=data.result,
        note=data.note,
        photos=photos,
        template_code=data.template,
    )
    fault = Fault.objects.filter(step_result=record).select_related("assigned_department").first()
    return {
        "task": selectors.task_get(user=request.user, pk=task_id),
        "step": record,
        "fault": fault,
    }

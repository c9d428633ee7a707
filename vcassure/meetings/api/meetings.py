"""The meetings API (SPEC §6): create, list, read, publish, reschedule, cancel, plan, conflicts,
the task tree and the status roll-up."""

from collections import Counter
from datetime import UTC, date, datetime, time, timedelta

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router, Status
from ninja.pagination import paginate

from vcassure.core.api import LimitOffsetPagination
from vcassure.core.errors import ConflictError, InvalidInputError
from vcassure.core.idempotency import idempotent
from vcassure.core.schemas import ErrorOut
from vcassure.meetings import selectors, services
from vcassure.meetings.api._common import READ_ERRORS, WRITE_ERRORS
from vcassure.meetings.models import Meeting
from vcassure.meetings.permissions import can_manage_meetings
from vcassure.meetings.schemas import (
    CancelIn,
    ConflictsOut,
    MeetingFilter,
    MeetingIn,
    MeetingOut,
    PlanOut,
    PublishIn,
    PublishOut,
    RescheduleIn,
    ShortfallConflictOut,
    StatusFilter,
    StatusOut,
    TaskFilter,
    TaskOut,
)
from vcassure.orgs.models import OrgUnit

router = Router(tags=["meetings"])


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

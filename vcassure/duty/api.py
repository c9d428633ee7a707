"""Duty API (SPEC §6.2): special periods, their shifts, assignment, check-in and check-out. Every
read starts from the caller's scope: another county's period or shift is a 404."""

from datetime import date, datetime, time, timedelta

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router, Status
from ninja.pagination import paginate

from vcassure.core.api import LimitOffsetPagination
from vcassure.core.errors import InvalidInputError
from vcassure.core.idempotency import idempotent
from vcassure.core.schemas import ErrorOut
from vcassure.duty import selectors, services
from vcassure.duty.permissions import own_staff_id
from vcassure.duty.schemas import (
    CheckInIn,
    PeriodIn,
    PeriodOut,
    PeriodShiftFilter,
    ShiftFilter,
    ShiftOut,
    ShiftPatchIn,
)
from vcassure.orgs.models import Staff

router = Router(tags=["duty"])

READ_ERRORS = {404: ErrorOut}
WRITE_ERRORS = {403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


def _aware(value: datetime | date, *, end: bool = False) -> datetime:
    if isinstance(value, datetime):
        return value if timezone.is_aware(value) else timezone.make_aware(value)
    moment = timezone.make_aware(datetime.combine(value, time.min))
    return moment + timedelta(days=1) if end else moment


@router.get("/special-periods", response=list[PeriodOut], summary="Special periods in scope")
@paginate(LimitOffsetPagination)
def period_list(request: HttpRequest):
    return selectors.period_list(user=request.user).prefetch_related("venues")


@router.post(
    "/special-periods",
    response={201: PeriodOut, **WRITE_ERRORS},
    summary="Create a special period: every shift of every venue is laid out (and suggested)",
)
@idempotent
def period_create(request: HttpRequest, payload: PeriodIn):
    period = services.special_period_create(
        by=request.user,
        name=payload.name,
        starts_on=payload.starts_on,
        ends_on=payload.ends_on,
        mode=payload.mode,
        duty_hours=[w.model_dump() for w in payload.duty_hours],
        shift_hours=payload.shift_hours,
        venues=payload.venues,
        venue_filter=payload.venue_filter.model_dump() if payload.venue_filter else None,
        suggest=payload.suggest,
    )
    return Status(
        201, selectors.period_list(user=request.user).prefetch_related("venues").get(pk=period.pk)
    )


@router.get(
    "/special-periods/{int:period_id}",
    response={200: PeriodOut, **READ_ERRORS},
    summary="One special period",
)
def period_detail(request: HttpRequest, period_id: int):
    return selectors.period_list(user=request.user).prefetch_related("venues").get(pk=period_id)


@router.get(
    "/special-periods/{int:period_id}/shifts",
    response={200: list[ShiftOut], **READ_ERRORS},
    summary="The period's shifts in scope; ?uncovered=true for those nobody is assigned to",
)
@paginate(LimitOffsetPagination)
def period_shifts(request: HttpRequest, period_id: int, filters: Query[PeriodShiftFilter]):
    period = selectors.period_get(user=request.user, pk=period_id)
    qs = selectors.period_shifts(user=request.user, period=period)
    if filters.uncovered:
        qs = qs.filter(assignee__isnull=True)
    return qs


@router.get("/shifts", response=list[ShiftOut], summary="Shifts in scope; ?mine=true for yours")
@paginate(LimitOffsetPagination)
def shift_list(request: HttpRequest, filters: Query[ShiftFilter]):
    if filters.mine:
        qs = selectors.my_shifts(user=request.user, staff_id=own_staff_id(request.user))
    else:
        qs = selectors.shift_list(user=request.user)
    if filters.period:
        qs = qs.filter(period_id=filters.period)
    if filters.starts_from:
        qs = qs.filter(starts_at__gte=_aware(filters.starts_from))
    if filters.starts_to:
        qs = qs.filter(starts_at__lt=_aware(filters.starts_to, end=True))
    return qs


@router.get("/shifts/{int:shift_id}", response={200: ShiftOut, **READ_ERRORS})
def shift_detail(request: HttpRequest, shift_id: int):
    return selectors.shift_get(user=request.user, pk=shift_id)


@router.patch(
    "/shifts/{int:shift_id}",
    response={200: ShiftOut, **WRITE_ERRORS},
    summary="Assign the shift; an assignment that breaks a roster rule is a 409 naming the rule",
)
def shift_patch(request: HttpRequest, shift_id: int, payload: ShiftPatchIn):
    shift = selectors.shift_get(user=request.user, pk=shift_id)
    assignee = None
    if payload.assignee is not None:
        assignee = Staff.objects.visible_to(request.user).filter(pk=payload.assignee).first()
        if assignee is None:
            raise InvalidInputError(
                _("值班人员不存在或不在您的管辖范围内。"),
                errors=[{"field": "assignee", "message": _("人员不存在或不在管辖范围内。")}],
            )
    services.shift_assign(shift, by=request.user, assignee=assignee)
    return selectors.shift_get(user=request.user, pk=shift_id)


@router.post(
    "/shifts/{int:shift_id}/check-in",
    response={200: ShiftOut, **WRITE_ERRORS},
    summary="The person's own check-in, with an optional location; idempotent",
)
def shift_check_in(request: HttpRequest, shift_id: int, payload: CheckInIn | None = None):
    shift = selectors.shift_get(user=request.user, pk=shift_id)
    services.shift_check_in(
        shift,
        by=request.user,
        lat=payload.lat if payload else None,
        lng=payload.lng if payload else None,
    )
    return selectors.shift_get(user=request.user, pk=shift_id)


@router.post(
    "/shifts/{int:shift_id}/check-out",
    response={200: ShiftOut, **WRITE_ERRORS},
    summary="The person's own check-out, with an optional location; idempotent",
)
def shift_check_out(request: HttpRequest, shift_id: int, payload: CheckInIn | None = None):
    shift = selectors.shift_get(user=request.user, pk=shift_id)
    services.shift_check_out(
        shift,
        by=request.user,
        lat=payload.lat if payload else None,
        lng=payload.lng if payload else None,
    )
    return selectors.shift_get(user=request.user, pk=shift_id)

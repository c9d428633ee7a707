"""Routine work (SPEC §6.2): inspection plans, the inspections they generate and their steps.
Another scope's plan or inspection is a 404."""

import json

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Status
from ninja.pagination import paginate
from pydantic import ValidationError as PydanticValidationError

from vcassure.core.api import LimitOffsetPagination
from vcassure.core.errors import ApplicationError, InvalidInputError
from vcassure.core.idempotency import idempotent
from vcassure.core.schemas import ErrorOut
from vcassure.faults.models import Fault
from vcassure.routine import selectors, services
from vcassure.routine.permissions import can_manage_plans
from vcassure.routine.schemas import (
    InspectionFilter,
    InspectionOut,
    InspectionPlanIn,
    InspectionPlanOut,
    InspectionStepIn,
    InspectionStepOut,
)

router = Router(tags=["routine"])
WRITE_ERRORS = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


@router.get(
    "/inspection-plans", response=list[InspectionPlanOut], summary="Inspection plans in scope"
)
@paginate(LimitOffsetPagination)
def plan_list(request: HttpRequest):
    return selectors.plan_list(user=request.user).prefetch_related("venues")


@router.get("/inspection-plans/{int:plan_id}", response={200: InspectionPlanOut, 404: ErrorOut})
def plan_detail(request: HttpRequest, plan_id: int):
    return selectors.plan_get(user=request.user, pk=plan_id)


@router.post(
    "/inspection-plans",
    response={201: InspectionPlanOut, **WRITE_ERRORS},
    summary="Create an inspection plan (venues by id or venue_filter; daily/weekly/monthly)",
)
@idempotent
def plan_create(request: HttpRequest, payload: InspectionPlanIn):
    if not can_manage_plans(request.user):
        raise PermissionDenied(_("只有管理员、调度员和部门负责人可以制定巡检计划。"))
    plan = services.inspection_plan_create(
        by=request.user,
        name=payload.name,
        system=payload.system,
        frequency=payload.frequency,
        due_time=payload.due_time,
        checklist_template=payload.checklist_template,
        venues=payload.venues,
        venue_filter=payload.venue_filter.dict() if payload.venue_filter else None,
        weekdays=payload.weekdays,
        month_day=payload.month_day,
        working_days_only=payload.working_days_only,
        starts_on=payload.starts_on,
    )
    return Status(201, selectors.plan_get(user=request.user, pk=plan.pk))


@router.get(
    "/inspections",
    response=list[InspectionOut],
    summary="Inspections in scope; mine=true: the caller's own",
)
@paginate(LimitOffsetPagination)
def inspection_list(request: HttpRequest, filters: Query[InspectionFilter]):
    return selectors.inspection_list(
        user=request.user,
        mine=filters.mine,
        state=filters.state or "",
        plan=filters.plan,
        org_unit=filters.org_unit,
        overdue=filters.overdue,
    ).order_by("-scheduled_on", "org_unit__path", "venue__code")


@router.get("/inspections/{int:inspection_id}", response={200: InspectionOut, 404: ErrorOut})
def inspection_detail(request: HttpRequest, inspection_id: int):
    return selectors.inspection_get(user=request.user, pk=inspection_id)


def _step_input(request: HttpRequest) -> tuple[InspectionStepIn, list]:
    if request.content_type in ("multipart/form-data", "application/x-www-form-urlencoded"):
        raw: object = {
            k: request.POST[k] for k in ("result", "note", "reading") if request.POST.get(k)
        }
        photos = request.FILES.getlist("photos")
    else:
        try:
            raw = json.loads(request.body or b"{}")
        except ValueError as exc:
            raise ApplicationError(
                _("请求体不是有效的 JSON。"), errors=[{"field": "body", "message": str(exc)}]
            ) from exc
        photos = []
    try:
        return InspectionStepIn.model_validate(raw), photos
    except PydanticValidationError as exc:
        errors = [
            {"loc": list(e.get("loc", [])), "msg": str(e.get("msg", "")), "type": e.get("type", "")}
            for e in exc.errors()
        ]
        raise InvalidInputError(_("请求参数无效。"), errors=errors) from exc


@router.post(
    "/inspections/{int:inspection_id}/steps/{int:number}",
    response={200: InspectionStepOut, **WRITE_ERRORS},
    summary="Record an inspection step: {result, note, reading}; a fail opens a minor fault",
)
@idempotent
def inspection_step(request: HttpRequest, inspection_id: int, number: int):
    """JSON `{"result": "pass"/"fail", "note", "reading"}`, or multipart with photos as files
    `photos`. A reading out of the step's range fails the step."""
    inspection = selectors.inspection_get(user=request.user, pk=inspection_id)
    data, photos = _step_input(request)
    record = services.inspection_record_step(
        inspection,
        by=request.user,
        number=number,
        result=data.result,
        note=data.note,
        reading=data.reading,
        photos=photos,
    )
    fault = Fault.objects.filter(step_result=record).first()
    return {
        "inspection": selectors.inspection_get(user=request.user, pk=inspection_id),
        "number": record.step.number,
        "title": record.step.title,
        "result": record.result,
        "note": record.note,
        "reading": record.reading,
        "fault": fault.pk if fault else None,
    }

"""The field API: check-in and checklist steps (JSON or multipart with photos)."""

import json

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router
from pydantic import ValidationError as PydanticValidationError

from vcassure.core.errors import ApplicationError, InvalidInputError
from vcassure.core.idempotency import idempotent
from vcassure.faults.models import Fault
from vcassure.meetings import selectors
from vcassure.meetings.api._common import WRITE_ERRORS
from vcassure.meetings.schemas import (
    CheckInIn,
    CheckInOut,
    StepIn,
    StepRecordOut,
)
from vcassure.meetings.services import check_in
from vcassure.meetings.services import field_work as field

router = Router(tags=["meetings"])


@router.post(
    "/tasks/{int:task_id}/check-in",
    response={200: CheckInOut, **WRITE_ERRORS},
    summary="On site: check in with an optional location; idempotent (the first check-in counts)",
)
def task_check_in(request: HttpRequest, task_id: int, payload: CheckInIn | None = None):
    task = selectors.task_get(user=request.user, pk=task_id)
    check_in.support_task_check_in(
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
            k: request.POST[k]
            for k in ("result", "note", "template", "reading")
            if k in request.POST
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
        reading=data.reading,
    )
    fault = Fault.objects.filter(step_result=record).select_related("assigned_department").first()
    return {
        "task": selectors.task_get(user=request.user, pk=task_id),
        "step": record,
        "fault": fault,
    }

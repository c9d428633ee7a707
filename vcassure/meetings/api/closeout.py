"""The end of a meeting (SPEC §6.2): a coordination task completed, a meeting's open items, and
closing the meeting."""

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router

from vcassure.meetings import selectors, services
from vcassure.meetings.api._common import READ_ERRORS, WRITE_ERRORS
from vcassure.meetings.models import TaskCompletion
from vcassure.meetings.permissions import can_manage_meetings
from vcassure.meetings.schemas import (
    CloseIn,
    CompleteIn,
    CompletionOut,
    MeetingOut,
    OpenItemsOut,
)

router = Router(tags=["meetings"])


@router.post(
    "/tasks/{int:task_id}/complete",
    response={200: CompletionOut, **WRITE_ERRORS},
    summary="A coordination task done, with the department's record; a venue task is a 409",
)
def task_complete(request: HttpRequest, task_id: int, payload: CompleteIn):
    task = selectors.task_get(user=request.user, pk=task_id)
    task = services.coordination_task_complete(task, by=request.user, **payload.dict())
    completion = TaskCompletion.objects.get(task=task)
    return {
        "task": selectors.task_get(user=request.user, pk=task_id),
        "done_at": task.done_at,
        "note": completion.note,
        "details": completion.details,
    }


@router.get(
    "/meetings/{int:meeting_id}/open-items",
    response={200: OpenItemsOut, **READ_ERRORS},
    summary="What is still open: venues without shutdown, open faults, incomplete coordination",
)
def meeting_open_items(request: HttpRequest, meeting_id: int):
    meeting = selectors.meeting_get(user=request.user, pk=meeting_id)
    errors = services.meeting_open_items(meeting).as_errors()
    return {"count": len(errors), "items": errors}


@router.post(
    "/meetings/{int:meeting_id}/close",
    response={200: MeetingOut, **WRITE_ERRORS},
    summary="Close an ended meeting with a note; 409 listing what is open unless force",
)
def meeting_close(request: HttpRequest, meeting_id: int, payload: CloseIn):
    meeting = selectors.meeting_get(user=request.user, pk=meeting_id)  # other scope: 404 first
    if not can_manage_meetings(request.user):
        raise PermissionDenied(_("您的角色只能查看会议，不能关闭会议。"))
    services.meeting_close(meeting, by=request.user, note=payload.note, force=payload.force)
    return selectors.meeting_get(user=request.user, pk=meeting_id)

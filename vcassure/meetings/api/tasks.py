"""The tasks API: my tasks, acknowledging a task, and the signed acknowledgement link."""

from django.http import HttpRequest
from ninja import Query, Router, Status
from ninja.pagination import paginate

from vcassure.core.api import LimitOffsetPagination
from vcassure.meetings import selectors, services
from vcassure.meetings.api._common import ACK_LINK_ERRORS, WRITE_ERRORS
from vcassure.meetings.schemas import (
    AckLinkOut,
    AckOut,
    LinkAckOut,
    MyTaskFilter,
    TaskOut,
)
from vcassure.notifications.services import (
    AckError,
    notification_ack_by_token,
    notification_from_token,
)

router = Router(tags=["meetings"])


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

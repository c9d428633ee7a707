"""What meetings does when a lower app tells it something (connected in apps.py)."""

from vcassure.accounts.types import UserLike
from vcassure.core.subjects import task_id_of


def _task_id(notification) -> int | None:
    """The task a notice is about, unless it is an escalation to someone else."""
    if notification.kind == "escalation":
        return None
    return task_id_of(notification.subject)


def on_notifications_acknowledged(sender, *, acknowledgements, **kwargs) -> None:
    """People acknowledged the notices about their tasks: each task moves to acknowledged (once),
    if that person is its assignee. One locked read of the tasks for the whole batch."""
    from vcassure.meetings.services.tasks import TaskAck, support_tasks_acknowledge

    items = [
        TaskAck(
            task_id=task_id,
            assignee_id=a.notification.recipient_id,
            at=a.at,
            via=a.via,
            by=a.by,
        )
        for a in acknowledgements
        if (task_id := _task_id(a.notification)) is not None
    ]
    if items:
        support_tasks_acknowledge(items)


def on_notification_delivered(sender, *, notification, channel: str, at, **kwargs) -> None:
    """The assignee's notice reached them: a pending task becomes notified."""
    from vcassure.meetings.services.tasks import support_task_mark_notified

    task_id = _task_id(notification)
    if task_id is not None:
        support_task_mark_notified(
            task_id, recipient_id=notification.recipient_id, channel=channel, at=at
        )


def on_fault_reopened(
    sender, *, fault, by: "UserLike | None" = None, at=None, reason: str = "", **kwargs
) -> None:
    """A fault of a venue task is open again (not a venue-access report): the task is faulty."""
    from vcassure.meetings.models import SupportTask
    from vcassure.meetings.services.field_work import support_task_fault_reopened

    task_id = task_id_of(fault.subject)
    if task_id is None or fault.source == "access":
        return
    task = SupportTask.objects.filter(pk=task_id).first()
    if task is not None:
        support_task_fault_reopened(task, by=by, at=at, note=reason[:200])


def on_fault_restored(sender, *, fault, by: "UserLike | None" = None, at=None, **kwargs) -> None:
    """A fault of a venue task is restored: the task returns to its place."""
    from vcassure.meetings.models import SupportTask
    from vcassure.meetings.services.field_work import support_task_fault_restored

    task_id = task_id_of(fault.subject)
    task = SupportTask.objects.filter(pk=task_id).first() if task_id is not None else None
    if task is not None:
        support_task_fault_restored(task, by=by, at=at)

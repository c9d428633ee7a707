"""What meetings does when a lower app tells it something (connected in apps.py)."""

from vcassure.meetings.models import SupportTask


def _task_of(notification) -> SupportTask | None:
    if not notification.subject.startswith("task:") or notification.kind == "escalation":
        return None
    return SupportTask.objects.filter(pk=int(notification.subject.split(":", 1)[1])).first()


def on_notifications_acknowledged(sender, *, acknowledgements, **kwargs) -> None:
    """People acknowledged the notices about their tasks: each task moves to acknowledged (once),
    if that person is its assignee. One locked read of the tasks for the whole batch."""
    from vcassure.meetings.services import TaskAck, support_tasks_acknowledge

    items = [
        TaskAck(
            task_id=int(a.notification.subject.split(":", 1)[1]),
            assignee_id=a.notification.recipient_id,
            at=a.at,
            via=a.via,
            by=a.by,
        )
        for a in acknowledgements
        if a.notification.subject.startswith("task:") and a.notification.kind != "escalation"
    ]
    if items:
        support_tasks_acknowledge(items)


def on_notification_delivered(sender, *, notification, channel: str, at, **kwargs) -> None:
    """The assignee's notice reached them: a pending task becomes notified."""
    from vcassure.meetings.services import support_task_mark_notified

    task = _task_of(notification)
    if task is not None and task.assignee_id == notification.recipient_id:
        support_task_mark_notified(task, channel=channel, at=at)


def on_fault_restored(sender, *, fault, by=None, at=None, **kwargs) -> None:
    """A fault of a venue task is restored: the task returns to its place."""
    from vcassure.meetings.field import support_task_fault_restored

    if fault.subject.startswith("task:"):
        task = SupportTask.objects.filter(pk=int(fault.subject.split(":", 1)[1])).first()
        if task is not None:
            support_task_fault_restored(task, by=by, at=at)

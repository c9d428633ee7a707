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


def on_notifications_delivered(sender, *, deliveries, **kwargs) -> None:
    """Notices reached their recipients for the first time (one call per batch of the sender's
    outcomes): each assignee's pending task becomes notified."""
    from vcassure.meetings.services.tasks import TaskNotified, support_tasks_mark_notified

    items = [
        TaskNotified(task_id, d.notification.recipient_id, d.channel, d.at)
        for d in deliveries
        if (task_id := _task_id(d.notification)) is not None
    ]
    support_tasks_mark_notified(items)


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


def on_support_tasks_changed(sender, *, changes, **kwargs) -> None:
    """Tasks were done or cancelled: the tracking tasks above them whose whole subtree is now
    settled complete (R2: each customer department tracks everything below it)."""
    from vcassure.meetings.services.coordination import coordination_rollup

    settled = [c for c in changes if c.to_state in ("done", "cancelled")]
    if settled:
        coordination_rollup({c.meeting_id for c in settled}, at=max(c.at for c in settled))


def on_fault_opened(sender, *, fault, **kwargs) -> None:
    """R8: a fibre fault at a venue with a line crew standing by goes straight to that crew."""
    from vcassure.meetings.services.fibre import fibre_fault_to_standby_crew

    fibre_fault_to_standby_crew(fault)

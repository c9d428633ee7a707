"""Queue tasks. They carry no data: the rows are the truth, and the periodic sweep finds anything
a lost or flushed queue message would have carried."""

from huey import crontab
from huey.contrib.djhuey import HUEY, db_periodic_task, db_task

from vcassure.notifications import wakeups


@wakeups.register(wakeups.OUTBOX)
@db_task()
def process_outbox_task() -> int:
    from vcassure.notifications.outbox import outbox_drain

    return outbox_drain()


@wakeups.register(wakeups.ACK_EFFECTS)
@db_task()
def apply_acknowledgements_task() -> int:
    """Apply the effects of link acknowledgements (the task moves, the audit rows, ...)."""
    from vcassure.notifications.services import acknowledgements_apply_all

    return acknowledgements_apply_all()


@db_periodic_task(crontab(minute="*"))
def sweep_notifications_task() -> None:
    """Every minute: escalate what is overdue, send what is due (including leases that expired
    because a worker died). No queue lock: a killed worker would leave it held; the row leases
    and compare-and-set updates already make concurrent sweeps safe."""
    from vcassure.notifications.escalation import escalations_process_due
    from vcassure.notifications.outbox import outbox_drain
    from vcassure.notifications.services import acknowledgements_apply_all

    acknowledgements_apply_all()  # before escalating: an answered notice must not climb a rung
    while escalations_process_due():
        pass
    outbox_drain()


__all__ = [
    "HUEY",
    "apply_acknowledgements_task",
    "process_outbox_task",
    "sweep_notifications_task",
]

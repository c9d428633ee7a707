from huey import crontab
from huey.contrib.djhuey import db_periodic_task


@db_periodic_task(crontab(minute="*"))
def sweep_routine_task() -> None:
    """Every minute: make and announce the day's inspections, escalate the overdue ones."""
    from vcassure.routine.services import routine_sweep

    routine_sweep()

from huey import crontab
from huey.contrib.djhuey import db_periodic_task


@db_periodic_task(crontab(minute="*"))
def sweep_duty_task() -> None:
    """Every minute: uncovered-shift warnings, shift reminders, missed check-ins."""
    from vcassure.duty.notify import duty_sweep

    duty_sweep()

"""Queue tasks of faults: the minute sweep of missed fault deadlines."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task


@db_periodic_task(crontab(minute="*"))
def escalate_overdue_faults_task() -> int:
    from vcassure.faults.services.escalation import faults_escalate_overdue

    return faults_escalate_overdue()

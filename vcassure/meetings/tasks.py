from huey import crontab
from huey.contrib.djhuey import db_periodic_task


@db_periodic_task(crontab(minute="*"))
def sweep_meeting_clock_task() -> None:
    """Every minute: start and end meetings, mark and escalate missed R10 deadlines."""
    from vcassure.meetings.services.clock import meeting_clock_sweep

    meeting_clock_sweep()

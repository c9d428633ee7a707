from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from vcassure.meetings.services.probes import register_probes_runner


@db_periodic_task(crontab(minute="*"))
def sweep_meeting_clock_task() -> None:
    """Every minute: start and end meetings, mark and escalate missed R10 deadlines."""
    from vcassure.meetings.services.clock import meeting_clock_sweep

    meeting_clock_sweep()


@db_periodic_task(crontab(minute="*/10", hour="9-11"))
def remind_open_meetings_task() -> None:
    """Working mornings: the dispatch desk hears of meetings ended before today and not closed
    (once a day each; a run missed at 09:00 is made up by the next)."""
    from vcassure.meetings.services.closeout import meetings_remind_open

    meetings_remind_open()


@db_periodic_task(crontab(minute="*"))
def sweep_meeting_probes_task() -> None:
    """Every minute: the T−60 and T−30 readiness probe rounds of published meetings (C13)."""
    from vcassure.meetings.services.probes import meeting_probes_sweep

    meeting_probes_sweep()


@register_probes_runner
@db_task()
def meeting_probes_now_task(meeting_id: int) -> None:
    """Probe a meeting's devices on demand (the dashboard button, POST /api/meetings/{id}/probes)."""
    from vcassure.meetings.models import Meeting
    from vcassure.meetings.services.probes import meeting_probes_run

    meeting = Meeting.objects.filter(pk=meeting_id).first()
    if meeting is not None:
        meeting_probes_run(meeting)

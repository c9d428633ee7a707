"""Severity and deadlines: the administrator-editable FaultPolicy rows (seeded by migration
0003_fault_policy) turned into the three deadlines of a fault, and the severity of a checklist
fault from the meeting's time."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils import timezone

from vcassure.faults.models import Fault, FaultPolicy
from vcassure.notifications import calendar

# When the rows are missing (a database without the data migration): issue #11's defaults.
DEFAULT_POLICY = {
    Fault.Severity.CRITICAL: ((5, "minutes"), (30, "minutes"), (60, "minutes")),
    Fault.Severity.MAJOR: ((10, "minutes"), (120, "minutes"), (240, "minutes")),
    Fault.Severity.MINOR: ((120, "working_minutes"), (1, "working_days"), (3, "working_days")),
}
CRITICAL_WINDOW = timedelta(hours=1)


@dataclass(frozen=True)
class Deadlines:
    ack_due_at: datetime
    on_site_due_at: datetime
    restore_due_at: datetime


def severity_for_meeting(starts_at: datetime, ends_at: datetime, now: datetime) -> str:
    """During a meeting or within an hour of its start: critical; earlier: major; after it: minor."""
    if starts_at - CRITICAL_WINDOW <= now <= ends_at:
        return Fault.Severity.CRITICAL
    if now < starts_at:
        return Fault.Severity.MAJOR
    return Fault.Severity.MINOR


def _end_of_nth_workday(start: datetime, n: int, cal: calendar.WorkingCalendar) -> datetime:
    """The close of the working day n working days after start's day (1 = the next working day)."""
    tz = timezone.get_default_timezone()
    day = start.astimezone(tz).date()
    last_close = calendar.working_windows()[-1][1]
    counted = 0
    for _i in range(calendar.MAX_DAYS_WITHOUT_WORKDAY + 31 * max(n, 1)):
        day += timedelta(days=1)
        if cal.is_workday(day):
            counted += 1
            if counted >= n:
                return datetime.combine(day, last_close, tzinfo=tz)
    raise ValueError("the working calendar has no workday ahead")


def deadline_after(
    start: datetime, amount: int, unit: str, *, cal: calendar.WorkingCalendar | None = None
) -> datetime:
    cal = cal or calendar.WorkingCalendar()
    if unit == FaultPolicy.Unit.WORKING_MINUTES:
        return calendar.add_working_minutes(start, amount, calendar=cal)
    if unit == FaultPolicy.Unit.WORKING_DAYS:
        return _end_of_nth_workday(start, amount, cal)
    return start + timedelta(minutes=amount)


def deadlines_for(severity: str, start: datetime) -> Deadlines:
    """The acknowledge, on-site and restore deadlines of a fault of that severity opened at start."""
    row = FaultPolicy.objects.filter(severity=severity).first()
    if row is not None:
        parts = (
            (row.ack_amount, row.ack_unit),
            (row.on_site_amount, row.on_site_unit),
            (row.restore_amount, row.restore_unit),
        )
    else:
        parts = DEFAULT_POLICY[Fault.Severity(severity)]
    cal = calendar.WorkingCalendar()
    ack, on_site, restore = (deadline_after(start, a, u, cal=cal) for a, u in parts)
    return Deadlines(ack, on_site, restore)

"""Laying out a period's shifts and suggesting who works them. Both work on plain values in
memory, so a 500-venue, 30-day period (45,000 shifts) is planned in one pass and written with
bulk statements by the services."""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings

from vcassure.core.agenda import AgendaItem
from vcassure.duty.rules import Limits, Schedule
from vcassure.orgs.models import OrgUnit


def local_zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def parse_hhmm(value: str) -> time:
    hours, minutes = value.split(":")
    return time(int(hours), int(minutes))


def shift_windows(
    *, starts_on: date, ends_on: date, mode: str, duty_hours: list[dict], shift_hours: int
) -> list[tuple[datetime, datetime]]:
    """Every shift of one venue, in local time (Asia/Shanghai has no daylight saving, so a day is
    always 24 hours). 7×24: back-to-back shifts from the first day's 00:00 to the day after the
    last. Duty hours: each daily window cut into shifts; a window whose end is not after its start
    runs past midnight; the last shift of a window ends with it."""
    zone = local_zone()
    length = timedelta(hours=shift_hours)
    windows: list[tuple[datetime, datetime]] = []
    day = starts_on
    while day <= ends_on:
        midnight = datetime.combine(day, time(0), tzinfo=zone)
        if mode == "24x7":
            windows.append((midnight, midnight + timedelta(days=1)))
        else:
            for w in duty_hours:
                start = datetime.combine(day, parse_hhmm(w["start"]), tzinfo=zone)
                end = datetime.combine(day, parse_hhmm(w["end"]), tzinfo=zone)
                if end <= start:
                    end += timedelta(days=1)
                windows.append((start, end))
        day += timedelta(days=1)
    if mode == "24x7":  # one continuous stretch, so 12-hour shifts line up across days too
        windows = [(windows[0][0], windows[-1][1])] if windows else []
    shifts: list[tuple[datetime, datetime]] = []
    for start, end in windows:
        cursor = start
        while cursor < end:
            shifts.append((cursor, min(cursor + length, end)))
            cursor += length
    return shifts


def pool_unit_id(path: str) -> int:
    """The unit whose emergency pool covers a venue: its county (a township's parent), or the
    venue's own unit above county level."""
    ids = OrgUnit.path_ids(path)
    return ids[min(len(ids), 3) - 1]


@dataclass
class Slot:
    """A shift as the suggester sees it."""

    key: int  # shift id, or index before saving
    venue_id: int
    starts_at: datetime
    ends_at: datetime
    assignee_id: int | None = None


def build_schedules(
    busy: Iterable[tuple[int, datetime, datetime]], agenda: Iterable[AgendaItem] = ()
) -> dict[int, Schedule]:
    """Each person's schedule from their existing shifts (staff id, start, end) and agenda."""
    schedules: dict[int, Schedule] = defaultdict(Schedule)
    for staff_id, start, end in busy:
        schedules[staff_id].add_busy(start, end)
    for item in agenda:
        schedules[item.staff_id].add_busy(item.starts_at, item.ends_at)
    return schedules


def suggest(
    slots: list[Slot],
    candidates: dict[int, list[int]],
    schedules: dict[int, Schedule],
    limits: Limits,
) -> int:
    """Fill every empty slot, earliest first, with the first of its venue's candidates (primary,
    backup, then the county's emergency pool) whom it leaves within every rule. Slots already
    assigned are taken as given. Returns how many were filled; the rest stay uncovered."""
    filled = 0
    for slot in sorted(slots, key=lambda s: (s.starts_at, s.venue_id)):
        if slot.assignee_id is not None:
            continue
        for staff_id in candidates.get(slot.venue_id, ()):
            schedule = schedules.get(staff_id)
            if schedule is None:
                schedule = schedules[staff_id] = Schedule()
            if schedule.problem(slot.starts_at, slot.ends_at, limits) is None:
                schedule.add(slot.starts_at, slot.ends_at)
                slot.assignee_id = staff_id
                filled += 1
                break
    return filled

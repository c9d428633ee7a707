"""The working calendar behind reply deadlines (R4).

A date is a workday according to, in order: the administrator's override (WorkingCalendarDay),
chinese-calendar's statutory holidays and make-up workdays, and finally "Monday to Friday" for a
year nobody has data for (logged as a warning; `years_without_data` lets a page say so).
Working time is the settings.WORKING_HOURS windows, in the project's time zone (Asia/Shanghai).

Every function takes an optional `calendar=WorkingCalendar()`: pass one to compute many deadlines
with one query per calendar year instead of one per call.
"""

import functools
import logging
import re
import time as monotonic_time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from typing import Literal

import chinese_calendar
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

from vcassure.notifications.models import WorkingCalendarDay

logger = logging.getLogger(__name__)

Source = Literal["override", "chinese_calendar", "fallback"]
ChannelClass = Literal["im", "office"]
CHANNEL_CLASSES: tuple[ChannelClass, ...] = ("im", "office")

# A stretch this long without a single workday means the overrides are wrong; stop rather than spin.
MAX_DAYS_WITHOUT_WORKDAY = 366
# Re-log the "no holiday data" warning at most this often per year and process.
FALLBACK_WARNING_INTERVAL_S = 3600.0
_fallback_warned_at: dict[int, float] = {}

_HOLIDAY_NAMES_ZH = {h.value: h.chinese for h in chinese_calendar.Holiday}
_WINDOW_RE = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")


@dataclass(frozen=True)
class DayInfo:
    """What the calendar says about one date, and why."""

    date: date
    is_workday: bool
    source: Source
    note: str = ""  # the override's note, or the statutory holiday's Chinese name

    @property
    def is_weekend(self) -> bool:
        return self.date.weekday() >= 5

    @property
    def kind(self) -> Literal["workday", "makeup", "holiday", "rest"]:
        """workday / makeup (a weekend day worked, 调休上班) / holiday / rest (an ordinary weekend)."""
        if self.is_workday:
            return "makeup" if self.is_weekend else "workday"
        if not self.is_weekend or self.source == "override" or self.note:
            return "holiday"
        return "rest"


@functools.lru_cache(maxsize=8192)
def _statutory(d: date) -> tuple[bool, str] | None:
    """(is_workday, holiday name in Chinese) from chinese-calendar, or None for a year it lacks.
    Cached: the data is static, and chinese-calendar rescans its tables on every call."""
    try:
        is_workday = chinese_calendar.is_workday(d)
        _on_holiday, name = chinese_calendar.get_holiday_detail(d)
    except NotImplementedError:
        return None
    return is_workday, _HOLIDAY_NAMES_ZH.get(name, name or "")


@functools.lru_cache(maxsize=256)
def _has_statutory_data(year: int) -> bool:
    return _statutory(date(year, 1, 1)) is not None


class WorkingCalendar:
    """Workday answers for many dates with few queries. Overrides are loaded a calendar year at
    a time (one query per year, or one for a range of years with `preload`) and kept for the
    life of the object, so make one per batch (one send, one sweep) rather than per process:
    an administrator's edits must be seen by the next batch."""

    def __init__(self) -> None:
        self._overrides: dict[date, WorkingCalendarDay] = {}
        self._years_loaded: set[int] = set()
        self._years_with_overrides: set[int] = set()

    def preload(self, first_year: int, last_year: int) -> None:
        years = [y for y in range(first_year, last_year + 1) if y not in self._years_loaded]
        if not years:
            return
        rows = WorkingCalendarDay.objects.filter(
            date__gte=date(min(years), 1, 1), date__lte=date(max(years), 12, 31)
        ).only("date", "is_workday", "note")
        for row in rows:
            if row.date.year in self._years_loaded:
                continue
            self._overrides[row.date] = row
            self._years_with_overrides.add(row.date.year)
        self._years_loaded.update(range(min(years), max(years) + 1))

    def day(self, d: date) -> DayInfo:
        self.preload(d.year, d.year)
        override = self._overrides.get(d)
        if override is not None:
            return DayInfo(d, override.is_workday, "override", override.note)
        statutory = _statutory(d)
        if statutory is not None:
            return DayInfo(d, statutory[0], "chinese_calendar", statutory[1])
        if d.year not in self._years_with_overrides:
            _warn_fallback(d.year)
        return DayInfo(d, d.weekday() < 5, "fallback")

    def is_workday(self, d: date) -> bool:
        return self.day(d).is_workday


def _warn_fallback(year: int) -> None:
    now = monotonic_time.monotonic()
    last = _fallback_warned_at.get(year)
    if last is not None and now - last < FALLBACK_WARNING_INTERVAL_S:
        return
    _fallback_warned_at[year] = now
    logger.warning(
        "No holiday data for %s: chinese-calendar does not cover it and the working calendar "
        "has no entries for it, so Monday to Friday are taken as workdays. Enter the year's "
        "arrangement at /notifications/calendar/?year=%s",
        year,
        year,
    )


def is_workday(d: date, *, calendar: WorkingCalendar | None = None) -> bool:
    return (calendar or WorkingCalendar()).is_workday(d)


def years_without_data(years: Iterable[int]) -> list[int]:
    """The years, sorted, that chinese-calendar does not cover and that have no entry in the
    working calendar table: deadlines there are computed as if every Monday to Friday were a
    workday, which a page should point out to an administrator."""
    unknown = sorted({y for y in years if not _has_statutory_data(y)})
    if not unknown:
        return []
    entered = {
        d.year
        for d in WorkingCalendarDay.objects.filter(
            date__gte=date(unknown[0], 1, 1), date__lte=date(unknown[-1], 12, 31)
        ).dates("date", "year")
    }
    return [y for y in unknown if y not in entered]


def working_windows() -> list[tuple[time, time]]:
    """settings.WORKING_HOURS ("08:30-12:00,13:30-17:30") as sorted, non-overlapping windows."""
    return list(_parse_windows(settings.WORKING_HOURS))


@functools.lru_cache(maxsize=16)
def _parse_windows(value: str) -> tuple[tuple[time, time], ...]:
    if not isinstance(value, str) or not value.strip():
        raise ImproperlyConfigured(
            "WORKING_HOURS is empty; expected e.g. '08:30-12:00,13:30-17:30'."
        )
    windows: list[tuple[time, time]] = []
    for part in value.split(","):
        match = _WINDOW_RE.match(part)
        if not match:
            raise ImproperlyConfigured(
                f"WORKING_HOURS: {part.strip()!r} is not HH:MM-HH:MM "
                f"(expected e.g. '08:30-12:00,13:30-17:30', got {value!r})."
            )
        h1, m1, h2, m2 = (int(g) for g in match.groups())
        if h1 > 23 or h2 > 23 or m1 > 59 or m2 > 59:
            raise ImproperlyConfigured(
                f"WORKING_HOURS: {part.strip()!r} is not a valid time of day (00:00-23:59)."
            )
        start, end = time(h1, m1), time(h2, m2)
        if start >= end:
            raise ImproperlyConfigured(f"WORKING_HOURS: {part.strip()!r} ends before it starts.")
        if windows and start < windows[-1][1]:
            raise ImproperlyConfigured(
                f"WORKING_HOURS: {part.strip()!r} overlaps or precedes the window before it; "
                "list the windows in order without overlap."
            )
        windows.append((start, end))
    return tuple(windows)


def _local_tz() -> tzinfo:
    return timezone.get_default_timezone()


def _require_aware(value: datetime, name: str) -> None:
    if not isinstance(value, datetime) or timezone.is_naive(value):
        raise ValueError(f"{name} must be an aware datetime, got {value!r}")


def add_working_minutes(
    start: datetime, minutes: int, *, calendar: WorkingCalendar | None = None
) -> datetime:
    """The moment `minutes` of working time after `start` (aware, in local time). A start
    outside working time counts from the next window; a result that lands exactly on a
    window's end stays there (10:00 + 120 is 12:00, not 13:30)."""
    _require_aware(start, "start")
    if minutes < 0:
        raise ValueError("minutes must not be negative")
    calendar = calendar or WorkingCalendar()
    tz, windows = _local_tz(), working_windows()
    remaining = timedelta(minutes=minutes)
    cursor = start.astimezone(tz)
    day = cursor.date()
    days_without_workday = 0
    while True:
        if calendar.is_workday(day):
            days_without_workday = 0
            for window_start, window_end in windows:
                opens = datetime.combine(day, window_start, tzinfo=tz)
                closes = datetime.combine(day, window_end, tzinfo=tz)
                if cursor >= closes:
                    continue
                begin = max(cursor, opens)
                if remaining <= closes - begin:
                    return begin + remaining
                remaining -= closes - begin
                cursor = closes
        else:
            days_without_workday += 1
            if days_without_workday > MAX_DAYS_WITHOUT_WORKDAY:
                raise ImproperlyConfigured(
                    f"The working calendar has no workday in the {MAX_DAYS_WITHOUT_WORKDAY} days after {day}."
                )
        day += timedelta(days=1)


def working_minutes_between(
    a: datetime, b: datetime, *, calendar: WorkingCalendar | None = None
) -> int:
    """Whole minutes of working time from a to b (negative when b is before a)."""
    _require_aware(a, "a")
    _require_aware(b, "b")
    if b < a:
        return -working_minutes_between(b, a, calendar=calendar)
    calendar = calendar or WorkingCalendar()
    tz, windows = _local_tz(), working_windows()
    a, b = a.astimezone(tz), b.astimezone(tz)
    calendar.preload(a.year, b.year)
    total = timedelta(0)
    day = a.date()
    while day <= b.date():
        if calendar.is_workday(day):
            for window_start, window_end in windows:
                overlap = min(b, datetime.combine(day, window_end, tzinfo=tz)) - max(
                    a, datetime.combine(day, window_start, tzinfo=tz)
                )
                if overlap > timedelta(0):
                    total += overlap
        day += timedelta(days=1)
    return total // timedelta(minutes=1)


def ack_due_at(
    sent_at: datetime, channel_class: ChannelClass, *, calendar: WorkingCalendar | None = None
) -> datetime:
    """When a notice sent at `sent_at` must be acknowledged (R4): instant messaging within
    ACK_MINUTES_IM plain minutes; OA, SMS and email within ACK_WORKING_MINUTES_OFFICE minutes
    of working time."""
    _require_aware(sent_at, "sent_at")
    if channel_class == "im":
        return (sent_at + timedelta(minutes=settings.ACK_MINUTES_IM)).astimezone(_local_tz())
    if channel_class == "office":
        return add_working_minutes(sent_at, settings.ACK_WORKING_MINUTES_OFFICE, calendar=calendar)
    raise ValueError(f"channel_class must be one of {CHANNEL_CLASSES}, got {channel_class!r}")

"""Shared by the working calendar tests (test_calendar_deadlines.py, test_calendar_properties.py,
test_calendar_working_days.py): Shanghai time and a short way to write a moment in it."""

from datetime import datetime
from zoneinfo import ZoneInfo

SH = ZoneInfo("Asia/Shanghai")


def at(y, m, d, hh=0, mm=0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=SH)

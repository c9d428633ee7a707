"""The few ways the interface and the messages write a time, in the platform's time zone."""

from datetime import datetime

from django.utils import timezone

EMPTY = "—"


def hhmm(value: datetime | None) -> str:
    """07:30"""
    return timezone.localtime(value).strftime("%H:%M") if value else EMPTY


def month_day_hhmm(value: datetime | None) -> str:
    """12-02 07:30"""
    return timezone.localtime(value).strftime("%m-%d %H:%M") if value else EMPTY

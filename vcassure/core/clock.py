"""The one clock. Everything that needs "now" asks here, so tests can move time with time-machine."""

from datetime import datetime

from django.utils import timezone


def now() -> datetime:
    return timezone.now()


def localnow() -> datetime:
    return timezone.localtime(timezone.now())

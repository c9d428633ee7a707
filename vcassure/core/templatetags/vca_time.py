"""Times on pages: `{{ value|when }}` is "07:30" today and "12-03 07:30" on another day, in the
platform's time zone (a deadline without its day misleads the night before a meeting)."""

from datetime import datetime

from django import template
from django.utils import timezone

from vcassure.core import clock

register = template.Library()


@register.filter
def when(value: datetime | None) -> str:
    if not value:
        return "—"
    local = timezone.localtime(value)
    if local.date() == timezone.localtime(clock.now()).date():
        return local.strftime("%H:%M")
    return local.strftime("%m-%d %H:%M")

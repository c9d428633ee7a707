"""Special periods and their shifts."""

from datetime import date, timedelta

from vcassure.core import clock
from vcassure.duty import services


def next_monday() -> date:
    today = clock.localnow().date()
    return today + timedelta(days=7 - today.weekday())


def make_period(user, venues, *, days: int = 3, starts_on: date | None = None, **kwargs):
    starts_on = starts_on or next_monday()
    return services.special_period_create(
        by=user,
        name=kwargs.pop("name", "汛期保障"),
        starts_on=starts_on,
        ends_on=starts_on + timedelta(days=days - 1),
        mode=kwargs.pop("mode", "24x7"),
        duty_hours=kwargs.pop("duty_hours", []),
        shift_hours=kwargs.pop("shift_hours", 8),
        venues=[v.pk for v in venues],
        **kwargs,
    )

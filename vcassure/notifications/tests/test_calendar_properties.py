"""Properties of the working calendar (Hypothesis): a deadline is later, exact and in working time;
monotonic in minutes; minutes between are antisymmetric and additive. (`fresh_fallback_warnings` is
in conftest.py.)"""

from datetime import UTC, date, datetime

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from vcassure.notifications.calendar import (
    WorkingCalendar,
    add_working_minutes,
    is_workday,
    working_minutes_between,
    working_windows,
)
from vcassure.notifications.models import WorkingCalendarDay
from vcassure.notifications.tests.calendar_helpers import SH

pytestmark = pytest.mark.usefixtures("fresh_fallback_warnings")


# ---- properties -----------------------------------------------------------------------------

starts = st.datetimes(
    min_value=datetime(2025, 1, 1),
    max_value=datetime(2027, 12, 31, 23, 59, 59),
    timezones=st.sampled_from([SH, UTC]),
)


def _inside_working_time(moment: datetime) -> bool:
    local = moment.astimezone(SH)
    if not is_workday(local.date()):
        return False
    return any(
        datetime.combine(local.date(), s, tzinfo=SH)
        <= local
        <= datetime.combine(local.date(), e, tzinfo=SH)
        for s, e in working_windows()
    )


def _with_2027_overrides():
    # Idempotent, so every example sees the same calendar: all three sources take part.
    WorkingCalendarDay.objects.get_or_create(date=date(2027, 3, 8), defaults={"is_workday": False})
    WorkingCalendarDay.objects.get_or_create(date=date(2027, 3, 13), defaults={"is_workday": True})


@pytest.mark.django_db
@hypothesis_settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(start=starts, minutes=st.integers(0, 2000))
def test_property_deadline_is_later_exact_and_in_working_time(start, minutes):
    _with_2027_overrides()
    due = add_working_minutes(start, minutes)
    assert due >= start
    assert due.tzinfo is not None
    assert working_minutes_between(start, due) == minutes
    assert _inside_working_time(due)


@pytest.mark.django_db
@hypothesis_settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(start=starts, m1=st.integers(0, 2000), m2=st.integers(0, 2000))
def test_property_monotonic_in_minutes(start, m1, m2):
    _with_2027_overrides()
    low, high = sorted((m1, m2))
    calendar = WorkingCalendar()
    assert add_working_minutes(start, low, calendar=calendar) <= add_working_minutes(
        start, high, calendar=calendar
    )


@pytest.mark.django_db
@hypothesis_settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(a=starts, b=starts)
def test_property_minutes_between_is_antisymmetric_and_additive(a, b):
    first, second = sorted((a, b))
    middle = first + (second - first) / 2
    calendar = WorkingCalendar()
    assert working_minutes_between(a, b, calendar=calendar) == -working_minutes_between(
        b, a, calendar=calendar
    )
    total = working_minutes_between(first, second, calendar=calendar)
    halves = working_minutes_between(first, middle, calendar=calendar) + working_minutes_between(
        middle, second, calendar=calendar
    )
    assert total - 1 <= halves <= total  # each half floors to whole minutes

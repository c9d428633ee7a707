"""The working calendar's deadlines: working hours, concrete deadlines over lunch, nights, weekends,
holidays and make-up workdays, the fallback for years without data, overrides, acknowledgement due
times, and the cost in queries and time. (`admin` and `fresh_fallback_warnings` are in conftest.py.)
"""

import logging
import time
from datetime import UTC, date, datetime, timedelta

import chinese_calendar
import pytest
from django.core.exceptions import ImproperlyConfigured

from vcassure.notifications.calendar import (
    WorkingCalendar,
    ack_due_at,
    add_working_minutes,
    is_workday,
    working_minutes_between,
    working_windows,
    years_without_data,
)
from vcassure.notifications.services import working_day_set
from vcassure.notifications.tests.calendar_helpers import SH, at

pytestmark = pytest.mark.usefixtures("fresh_fallback_warnings")


def source_of(d: date) -> str:
    """Which rule decided this date: "override", "chinese_calendar" or "fallback"."""
    return WorkingCalendar().day(d).source


# ---- working hours --------------------------------------------------------------------------


def test_default_working_windows():
    assert [(s.strftime("%H:%M"), e.strftime("%H:%M")) for s, e in working_windows()] == [
        ("08:30", "12:00"),
        ("13:30", "17:30"),
    ]


@pytest.mark.parametrize(
    "value",
    [
        "",
        "   ",
        "8:30",
        "08:30-12:00;13:30-17:30",
        "12:00-08:30",
        "09:00-09:00",
        "25:00-26:00",
        "08:70-09:00",
        "08:30-12:00,11:00-17:30",
        "13:30-17:30,08:30-12:00",
        "morning",
    ],
)
def test_bad_working_hours_are_improperly_configured(settings, value):
    settings.WORKING_HOURS = value
    with pytest.raises(ImproperlyConfigured, match="WORKING_HOURS"):
        working_windows()


@pytest.mark.django_db
def test_custom_working_hours(settings):
    settings.WORKING_HOURS = " 09:00-18:00 "
    assert add_working_minutes(at(2025, 3, 12, 17, 0), 120) == at(2025, 3, 13, 10, 0)
    settings.WORKING_HOURS = "08:00-12:00,12:00-17:00"  # touching windows are fine
    assert add_working_minutes(at(2025, 3, 12, 11, 0), 120) == at(2025, 3, 12, 13, 0)


# ---- concrete deadlines ---------------------------------------------------------------------


@pytest.mark.django_db
def test_friday_afternoon_rolls_to_monday():
    assert date(2025, 3, 14).weekday() == 4
    assert add_working_minutes(at(2025, 3, 14, 17, 0), 120) == at(2025, 3, 17, 10, 0)


@pytest.mark.django_db
def test_lunch_break_is_skipped():
    assert add_working_minutes(at(2025, 3, 12, 11, 30), 60) == at(2025, 3, 12, 14, 0)


@pytest.mark.django_db
def test_window_end_is_exact():
    assert add_working_minutes(at(2025, 3, 12, 10, 0), 120) == at(2025, 3, 12, 12, 0)
    assert add_working_minutes(at(2025, 3, 12, 11, 59), 1) == at(2025, 3, 12, 12, 0)
    assert add_working_minutes(at(2025, 3, 12, 15, 30), 120) == at(2025, 3, 12, 17, 30)
    assert add_working_minutes(at(2025, 3, 12, 12, 0), 1) == at(2025, 3, 12, 13, 31)


@pytest.mark.django_db
def test_zero_minutes_rolls_out_of_non_working_time_only():
    assert add_working_minutes(at(2025, 3, 12, 9, 15), 0) == at(2025, 3, 12, 9, 15)
    assert add_working_minutes(at(2025, 3, 12, 12, 0), 0) == at(2025, 3, 12, 13, 30)
    assert add_working_minutes(at(2025, 3, 15, 10, 0), 0) == at(2025, 3, 17, 8, 30)


@pytest.mark.django_db
def test_nights_and_weekends_roll_forward():
    assert add_working_minutes(at(2025, 3, 11, 20, 0), 120) == at(
        2025, 3, 12, 10, 30
    )  # Tuesday night
    assert add_working_minutes(at(2025, 3, 12, 6, 0), 120) == at(
        2025, 3, 12, 10, 30
    )  # early morning
    assert add_working_minutes(at(2025, 3, 15, 10, 0), 120) == at(2025, 3, 17, 10, 30)  # Saturday
    assert add_working_minutes(at(2025, 3, 16, 23, 59), 120) == at(
        2025, 3, 17, 10, 30
    )  # Sunday night


@pytest.mark.django_db
def test_seconds_are_kept():
    start = datetime(2025, 3, 12, 10, 0, 30, tzinfo=SH)
    assert add_working_minutes(start, 120) == datetime(2025, 3, 12, 13, 30, 30, tzinfo=SH)
    assert working_minutes_between(start, add_working_minutes(start, 120)) == 120


@pytest.mark.django_db
def test_other_time_zones_in_local_time_out():
    start = datetime(2025, 3, 14, 9, 0, tzinfo=UTC)  # 17:00 Friday in Shanghai
    due = add_working_minutes(start, 120)
    assert due == at(2025, 3, 17, 10, 0) and due.utcoffset() == timedelta(hours=8)


def test_naive_or_negative_input_is_refused():
    with pytest.raises(ValueError, match="aware"):
        add_working_minutes(datetime(2025, 3, 12, 10, 0), 10)
    with pytest.raises(ValueError, match="aware"):
        working_minutes_between(datetime(2025, 3, 12, 10, 0), at(2025, 3, 12, 11, 0))
    with pytest.raises(ValueError, match="aware"):
        ack_due_at(datetime(2025, 3, 12, 10, 0), "im")
    with pytest.raises(ValueError, match="negative"):
        add_working_minutes(at(2025, 3, 12, 10, 0), -1)


@pytest.mark.django_db
def test_national_day_2026_is_skipped():
    assert not is_workday(date(2026, 10, 1)) and source_of(date(2026, 10, 1)) == "chinese_calendar"
    # Wednesday 30 September 17:00: 30 minutes, then the holiday to 7 October, then Thursday 8 October.
    assert add_working_minutes(at(2026, 9, 30, 17, 0), 120) == at(2026, 10, 8, 10, 0)
    assert add_working_minutes(at(2026, 10, 1, 10, 0), 120) == at(2026, 10, 8, 10, 30)


@pytest.mark.django_db
def test_make_up_workday_2026_counts():
    saturday = date(2026, 10, 10)
    assert saturday.weekday() == 5 and chinese_calendar.is_workday(saturday)
    assert is_workday(saturday) and source_of(saturday) == "chinese_calendar"
    assert add_working_minutes(at(2026, 10, 9, 17, 0), 120) == at(2026, 10, 10, 10, 0)
    sunday = date(2026, 1, 4)
    assert sunday.weekday() == 6 and is_workday(sunday)
    assert add_working_minutes(at(2026, 1, 3, 9, 0), 30) == at(
        2026, 1, 4, 9, 0
    )  # 3 Jan is a holiday


@pytest.mark.django_db
def test_unknown_year_falls_back_to_weekdays_with_a_warning(caplog):
    with pytest.raises(NotImplementedError):
        chinese_calendar.is_workday(date(2027, 3, 8))
    assert years_without_data([2025, 2026, 2027]) == [2027]
    with caplog.at_level(logging.WARNING, logger="vcassure.notifications.calendar"):
        assert add_working_minutes(at(2027, 3, 5, 17, 0), 120) == at(2027, 3, 8, 10, 0)
        assert add_working_minutes(at(2027, 3, 5, 17, 0), 120) == at(2027, 3, 8, 10, 0)
    warnings = [r for r in caplog.records if "No holiday data for 2027" in r.getMessage()]
    assert len(warnings) == 1  # once per year, not once per deadline
    assert source_of(date(2027, 3, 8)) == "fallback"
    assert is_workday(date(2027, 3, 8)) and not is_workday(date(2027, 3, 6))
    assert years_without_data([2030, 2027, 2027]) == [2027, 2030]


@pytest.mark.django_db
def test_2027_overrides_are_honoured(admin):
    working_day_set(by=admin, date=date(2027, 3, 8), is_workday=False, note="测试假日")
    working_day_set(by=admin, date=date(2027, 3, 13), is_workday=True, note="测试调休")
    assert years_without_data([2027]) == []
    assert source_of(date(2027, 3, 8)) == "override" and not is_workday(date(2027, 3, 8))
    assert source_of(date(2027, 3, 13)) == "override" and is_workday(date(2027, 3, 13))
    assert source_of(date(2027, 3, 9)) == "fallback"
    # Friday 17:00: 30 minutes, Monday is a holiday, Tuesday from 08:30.
    assert add_working_minutes(at(2027, 3, 5, 17, 0), 120) == at(2027, 3, 9, 10, 0)
    # Friday 17:00 before the make-up Saturday.
    assert add_working_minutes(at(2027, 3, 12, 17, 0), 120) == at(2027, 3, 13, 10, 0)


@pytest.mark.django_db
def test_override_beats_chinese_calendar(admin):
    working_day_set(by=admin, date=date(2026, 10, 8), is_workday=False, note="单位自定休息")
    working_day_set(by=admin, date=date(2026, 10, 2), is_workday=True, note="重保值班")
    assert not is_workday(date(2026, 10, 8)) and is_workday(date(2026, 10, 2))
    assert add_working_minutes(at(2026, 9, 30, 17, 0), 120) == at(2026, 10, 2, 10, 0)


@pytest.mark.django_db
def test_working_minutes_between():
    assert working_minutes_between(at(2025, 3, 14, 17, 0), at(2025, 3, 17, 10, 0)) == 120
    assert working_minutes_between(at(2025, 3, 17, 10, 0), at(2025, 3, 14, 17, 0)) == -120
    assert working_minutes_between(at(2025, 3, 15, 0, 0), at(2025, 3, 16, 23, 59)) == 0
    assert working_minutes_between(at(2025, 3, 10, 0, 0), at(2025, 3, 17, 0, 0)) == 5 * 450
    assert working_minutes_between(at(2025, 3, 12, 11, 0), at(2025, 3, 12, 11, 0)) == 0


@pytest.mark.django_db
def test_ack_due_at(settings):
    sent = at(2025, 3, 14, 17, 25)
    assert ack_due_at(sent, "im") == at(2025, 3, 14, 17, 35)
    assert ack_due_at(at(2025, 3, 15, 23, 55), "im") == at(
        2025, 3, 16, 0, 5
    )  # plain minutes, weekends too
    assert ack_due_at(sent, "office") == at(2025, 3, 17, 10, 25)
    settings.ACK_MINUTES_IM, settings.ACK_WORKING_MINUTES_OFFICE = 5, 60
    assert ack_due_at(sent, "im") == at(2025, 3, 14, 17, 30)
    assert ack_due_at(sent, "office") == at(2025, 3, 17, 9, 25)
    with pytest.raises(ValueError, match="channel_class"):
        ack_due_at(sent, "sms")


@pytest.mark.django_db
def test_a_calendar_without_any_workday_stops_instead_of_spinning(monkeypatch):
    monkeypatch.setattr(WorkingCalendar, "is_workday", lambda self, d: False)
    with pytest.raises(ImproperlyConfigured, match="no workday"):
        add_working_minutes(at(2025, 3, 14, 17, 0), 120)


# ---- queries and speed ----------------------------------------------------------------------


@pytest.mark.django_db
def test_one_query_per_call_and_one_per_batch(django_assert_num_queries, admin):
    working_day_set(by=admin, date=date(2027, 3, 8), is_workday=False)
    with django_assert_num_queries(1):
        ack_due_at(at(2027, 3, 5, 17, 0), "office")
    starts = [
        at(2026, 1, 1) + timedelta(minutes=263 * i) for i in range(2000)
    ]  # Jan 2026 to Jan 2027
    calendar = WorkingCalendar()
    with django_assert_num_queries(2):  # 2026 and 2027
        dues = [ack_due_at(s, "office", calendar=calendar) for s in starts]
    assert all(d >= s for d, s in zip(dues, starts, strict=True))
    with django_assert_num_queries(0):
        assert [ack_due_at(s, "office", calendar=calendar) for s in starts] == dues


@pytest.mark.django_db
def test_two_thousand_office_deadlines_are_fast():
    starts = [
        at(2026, 9, 1) + timedelta(minutes=97 * i) for i in range(2000)
    ]  # through National Day
    began = time.perf_counter()
    calendar = WorkingCalendar()
    dues = [ack_due_at(s, "office", calendar=calendar) for s in starts]
    elapsed = time.perf_counter() - began
    print(f"2,000 office deadlines with one calendar: {elapsed * 1000:.1f} ms")
    assert len(dues) == 2000 and elapsed < 2.0
    began = time.perf_counter()
    for s in starts:
        ack_due_at(s, "office")
    print(f"2,000 office deadlines, one query each: {(time.perf_counter() - began) * 1000:.1f} ms")

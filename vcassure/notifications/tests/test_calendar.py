import logging
import time
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import chinese_calendar
import pytest
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from tests.factories.orgs import UserFactory
from vcassure.accounts.models import Role
from vcassure.core.errors import InvalidInputError
from vcassure.core.models import AuditEvent
from vcassure.notifications import calendar as cal
from vcassure.notifications.calendar import (
    WorkingCalendar,
    ack_due_at,
    add_working_minutes,
    is_workday,
    working_minutes_between,
    working_windows,
    years_without_data,
)
from vcassure.notifications.models import WorkingCalendarDay
from vcassure.notifications.services import (
    working_day_delete,
    working_day_set,
    working_days_import,
    working_days_validate,
)

SH = ZoneInfo("Asia/Shanghai")


def at(y, m, d, hh=0, mm=0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=SH)


def source_of(d: date) -> str:
    """Which rule decided this date: "override", "chinese_calendar" or "fallback"."""
    return WorkingCalendar().day(d).source


@pytest.fixture
def admin(db):
    return UserFactory(username="cal-admin", role=Role.ADMIN)


@pytest.fixture(autouse=True)
def _fresh_fallback_warnings():
    cal._fallback_warned_at.clear()
    yield
    cal._fallback_warned_at.clear()


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


# ---- services -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_working_day_set_update_delete_are_audited(admin):
    day = working_day_set(by=admin, date=date(2027, 1, 1), is_workday=False, note=" 元旦 ")
    assert (day.is_workday, day.note) == (False, "元旦")
    working_day_set(
        by=admin, date=date(2027, 1, 1), is_workday=False, note="元旦"
    )  # no change, no event
    working_day_set(by=admin, date=date(2027, 1, 1), is_workday=True, note="元旦")
    assert WorkingCalendarDay.objects.get(date=date(2027, 1, 1)).is_workday
    assert working_day_delete(by=admin, date=date(2027, 1, 1)) is True
    assert working_day_delete(by=admin, date=date(2027, 1, 1)) is False
    assert not WorkingCalendarDay.objects.exists()
    actions = list(
        AuditEvent.objects.filter(actor=admin).order_by("pk").values_list("action", flat=True)
    )
    assert actions == [
        "working_calendar_day.create",
        "working_calendar_day.update",
        "working_calendar_day.delete",
    ]
    update = AuditEvent.objects.get(action="working_calendar_day.update")
    assert update.changes == {"is_workday": [False, True]}


@pytest.mark.django_db
def test_only_administrators_edit_the_calendar(tree):
    for user in (tree.user("province", Role.DISPATCHER), tree.user("city0", Role.MANAGER)):
        with pytest.raises(PermissionDenied):
            working_day_set(by=user, date=date(2027, 1, 1), is_workday=False)
        with pytest.raises(PermissionDenied):
            working_day_delete(by=user, date=date(2027, 1, 1))
        with pytest.raises(PermissionDenied):
            working_days_import(by=user, rows=[(date(2027, 1, 1), False, "")])
    assert working_day_set(
        by=tree.user("province", Role.ADMIN), date=date(2027, 1, 1), is_workday=False
    )


@pytest.mark.django_db
def test_working_day_set_validates_in_chinese(admin):
    with pytest.raises(InvalidInputError, match="说明不能超过 100 个字"):
        working_day_set(by=admin, date=date(2027, 1, 1), is_workday=False, note="长" * 101)
    with pytest.raises(InvalidInputError, match="年份应在 2000 到 2100 之间"):
        working_day_set(by=admin, date=date(2207, 1, 1), is_workday=False)
    with pytest.raises(InvalidInputError, match="日期无效"):
        working_day_set(by=admin, date="2027-01-01", is_workday=False)
    assert not WorkingCalendarDay.objects.exists()


@pytest.mark.django_db
def test_working_days_import_is_all_or_nothing(admin):
    working_day_set(by=admin, date=date(2027, 1, 1), is_workday=True, note="旧")
    rows = [
        (date(2027, 1, 1), False, "元旦"),
        (date(2027, 2, 7), True, "春节调休"),
        (date(2027, 2, 7), False, "重复"),
        (date(2027, 2, 8), False, "长" * 101),
    ]
    with pytest.raises(InvalidInputError) as exc:
        working_days_import(by=admin, rows=rows)
    assert "没有写入任何数据" in exc.value.message
    assert [(e["row"], e["message"]) for e in exc.value.errors] == [
        (3, "日期 2027-02-07 出现了不止一次。"),
        (4, "说明不能超过 100 个字。"),
    ]
    assert list(WorkingCalendarDay.objects.values_list("date", "is_workday", "note")) == [
        (date(2027, 1, 1), True, "旧")
    ]

    result = working_days_import(by=admin, rows=rows[:2] + [(date(2027, 2, 8), False, "春节")])
    assert (result.created, result.updated, result.unchanged) == (2, 1, 0)
    assert list(WorkingCalendarDay.objects.values_list("date", "is_workday", "note")) == [
        (date(2027, 1, 1), False, "元旦"),
        (date(2027, 2, 7), True, "春节调休"),
        (date(2027, 2, 8), False, "春节"),
    ]
    event = AuditEvent.objects.get(action="working_calendar_day.import")
    assert event.changes["2027-01-01"] == [
        {"is_workday": True, "note": "旧"},
        {"is_workday": False, "note": "元旦"},
    ]
    again = working_days_import(by=admin, rows=rows[:2])
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    assert AuditEvent.objects.filter(action="working_calendar_day.import").count() == 1


def test_working_days_validate_messages():
    assert working_days_validate([]) == [{"row": 0, "message": "没有可录入的日期。"}]
    errors = working_days_validate(
        [(date(2027, 1, 1), "yes", ""), ("x",), (datetime(2027, 1, 2, tzinfo=SH), True, "")]
    )
    assert [e["row"] for e in errors] == [1, 2, 3]

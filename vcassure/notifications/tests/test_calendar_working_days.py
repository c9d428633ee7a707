"""The working calendar's day overrides through the services: set, update, delete and import (all or
nothing), audited; administrators only; validation in Chinese; years without data ahead. (`admin`
and `fresh_fallback_warnings` are in conftest.py.)"""

from datetime import date, datetime

import pytest
from django.core.exceptions import PermissionDenied

from vcassure.accounts.models import Role
from vcassure.core.errors import InvalidInputError
from vcassure.core.models import AuditEvent
from vcassure.notifications.models import WorkingCalendarDay
from vcassure.notifications.services import (
    working_day_delete,
    working_day_set,
    working_days_import,
    working_days_validate,
)
from vcassure.notifications.tests.calendar_helpers import SH

pytestmark = pytest.mark.usefixtures("fresh_fallback_warnings")


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

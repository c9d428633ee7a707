from datetime import date

import pytest

from vcassure.accounts.models import Role
from vcassure.core.models import AuditEvent
from vcassure.notifications.models import WorkingCalendarDay

PAGE = "/notifications/calendar/"
DAY = "/notifications/calendar/day/"
IMPORT = "/notifications/calendar/import/"
WARNING_2027 = "2027 年尚无法定节假日数据，目前按周一至周五上班计算，请录入当年放假安排"


@pytest.fixture
def admin_client(tree, client):
    client.force_login(tree.user("province", Role.ADMIN))
    return client


def test_admin_sees_2027_with_the_no_data_warning(admin_client, django_assert_max_num_queries):
    with django_assert_max_num_queries(8):  # session, user, messages + 2 for the calendar
        response = admin_client.get(PAGE + "?year=2027")
    page = response.content.decode()
    assert response.status_code == 200
    assert WARNING_2027 in page
    assert page.count('data-source="fallback"') == 365
    assert "12 月" in page and "2027-02-07 班 春节调休" in page  # the paste box's example


def test_2026_shows_statutory_holidays_and_make_up_days_without_warning(admin_client):
    page = admin_client.get(PAGE + "?year=2026").content.decode()
    assert "尚无法定节假日数据" not in page
    assert 'data-date="2026-10-01" data-kind="holiday" data-source="chinese_calendar"' in page
    assert 'data-date="2026-10-10" data-kind="makeup" data-source="chinese_calendar"' in page
    assert 'data-date="2026-10-17" data-kind="rest"' in page
    assert "国庆节" in page


def test_warning_goes_once_the_year_is_entered(admin_client):
    response = admin_client.post(
        IMPORT, {"year": "2027", "text": "2027-01-01 休 元旦\n2027-02-07 班 春节调休"}
    )
    assert response.status_code == 302 and response["Location"] == PAGE + "?year=2027"
    page = admin_client.get(PAGE + "?year=2027").content.decode()
    assert "已录入 2 天" in page
    assert WARNING_2027 not in page
    assert 'data-date="2027-01-01" data-kind="holiday" data-source="override"' in page
    assert 'data-date="2027-02-07" data-kind="makeup" data-source="override"' in page


def test_paste_a_year_writes_every_line(admin_client):
    text = "\n".join(
        [
            "# 2027 年放假安排",
            "2027-01-01 休 元旦",
            "",
            "2027/2/6 休息 春节",
            "2027-02-07\t班 春节调休",
            "2027-02-20　上班",  # ideographic space, no note
        ]
    )
    response = admin_client.post(IMPORT, {"year": "2027", "text": text}, follow=True)
    assert "已录入 4 天：新增 4 天" in response.content.decode()
    assert list(WorkingCalendarDay.objects.values_list("date", "is_workday", "note")) == [
        (date(2027, 1, 1), False, "元旦"),
        (date(2027, 2, 6), False, "春节"),
        (date(2027, 2, 7), True, "春节调休"),
        (date(2027, 2, 20), True, ""),
    ]
    assert AuditEvent.objects.filter(action="working_calendar_day.import").count() == 1


def test_a_bad_line_writes_nothing_and_names_the_line(admin_client):
    text = "\n".join(
        [
            "2027-01-01 休 元旦",
            "2027-02-30 休 春节",  # no such date
            "2027-02-07 上课",  # neither 休 nor 班
            "",
            "2027-01-01 班 重复",  # duplicate of line 1
            "明天 休",
            "2027-03-01",
        ]
    )
    response = admin_client.post(IMPORT, {"year": "2027", "text": text})
    page = response.content.decode()
    assert response.status_code == 400
    assert not WorkingCalendarDay.objects.exists()
    assert "没有写入任何数据" in page
    for expected in [
        "第 2 行（2027-02-30 休 春节）：日期“2027-02-30”不存在。",
        "第 3 行（2027-02-07 上课）：“上课”应为“休”或“班”。",
        "第 5 行（2027-01-01 班 重复）：日期 2027-01-01 出现了不止一次。",
        "第 6 行（明天 休）：“明天”不是日期",
        "第 7 行（2027-03-01）：日期后面缺少“休”或“班”。",
    ]:
        assert expected in page, expected
    assert "第 1 行" not in page
    assert "2027-01-01 休 元旦\n2027-02-30" in page  # the text is kept for correction


def test_empty_paste_is_an_error(admin_client):
    response = admin_client.post(IMPORT, {"year": "2027", "text": "# 只有注释\n\n"})
    assert response.status_code == 400 and "没有可录入的日期" in response.content.decode()


def test_set_and_clear_one_date(admin_client):
    response = admin_client.post(
        DAY, {"year": "2027", "date": "2027-03-08", "action": "holiday", "note": "测试"}
    )
    assert response.status_code == 302 and response["Location"] == PAGE + "?year=2027"
    day = WorkingCalendarDay.objects.get()
    assert (day.date, day.is_workday, day.note) == (date(2027, 3, 8), False, "测试")
    page = admin_client.get(PAGE + "?year=2027").content.decode()
    assert "已将 2027-03-08 设为休息" in page
    assert 'data-date="2027-03-08" data-kind="holiday" data-source="override"' in page

    response = admin_client.post(
        DAY, {"year": "2027", "date": "2027-03-08", "action": "clear"}, follow=True
    )
    assert "已清除 2027-03-08 的调整" in response.content.decode()
    assert not WorkingCalendarDay.objects.exists()
    response = admin_client.post(
        DAY, {"year": "2027", "date": "2027-03-08", "action": "clear"}, follow=True
    )
    assert "没有调整，无需清除" in response.content.decode()
    assert list(AuditEvent.objects.values_list("action", flat=True).order_by("pk")) == [
        "working_calendar_day.create",
        "working_calendar_day.delete",
    ]


def test_invalid_day_form_is_shown_back(admin_client):
    response = admin_client.post(DAY, {"year": "2027", "date": "2027-02-30", "action": "holiday"})
    assert response.status_code == 400 and "errorlist" in response.content.decode()
    response = admin_client.post(DAY, {"year": "2027", "date": "2207-01-01", "action": "holiday"})
    assert response.status_code == 400 and "年份应在 2000 到 2100 之间" in response.content.decode()
    assert not WorkingCalendarDay.objects.exists()


def test_clicking_a_day_prefills_the_form(admin_client):
    page = admin_client.get(PAGE + "?year=2026&date=2026-10-01").content.decode()
    assert 'value="2026-10-01"' in page and '<option value="workday" selected>' in page


def test_bad_year_falls_back_to_this_year(admin_client):
    assert admin_client.get(PAGE + "?year=abc").status_code == 200
    assert admin_client.get(PAGE + "?year=99999").status_code == 200


def test_non_administrators_get_403(tree, client):
    for key, role in [
        ("province", Role.DISPATCHER),
        ("province", Role.READONLY),
        ("city0", Role.MANAGER),
        ("township0", Role.SUPPORT),
    ]:
        client.force_login(tree.user(key, role))
        assert client.get(PAGE + "?year=2027").status_code == 403
        assert client.post(DAY, {"date": "2027-03-08", "action": "holiday"}).status_code == 403
        assert client.post(IMPORT, {"text": "2027-01-01 休 元旦"}).status_code == 403
    assert not WorkingCalendarDay.objects.exists()


def test_anonymous_is_sent_to_login(db, client):
    response = client.get(PAGE)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]

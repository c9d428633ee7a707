"""The home page (工作台): what needs action now for each role, most urgent first, each item a link
to where it is handled, scoped to the user's subtree; empty states that say what is fine; the
list refreshes as an HTMX partial in a constant number of queries."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.factories.duty import make_period
from tests.factories.home import attention_scenario, open_fault
from tests.factories.meetings import venue_task
from tests.factories.routine import inspections_on
from vcassure.accounts.models import Role
from vcassure.core import clock
from vcassure.duty.models import Shift
from vcassure.home.attention import SOURCES, attention_for
from vcassure.notifications.models import ImGroup
from vcassure.routine.models import Inspection

HTMX = {"HTTP_HX_REQUEST": "true"}


def kinds(page: str) -> list[str]:
    return re.findall(r'data-kind="(\w+)"', page)


def test_province_dispatcher_sees_every_kind_most_urgent_first(province, tomorrow, client):
    s = attention_scenario(province, tomorrow)
    client.force_login(province.user("province"))
    page = client.get("/").content.decode()
    found = kinds(page)
    assert set(found) == {"meeting", "unanswered", "fault", "phone_call", "im_group"}
    # Tomorrow's meeting with nothing overdue yet comes after what is late now.
    assert found.index("meeting") > max(
        found.index(k) for k in ("unanswered", "fault", "phone_call", "im_group")
    )
    assert "防汛抗旱视频会商" in page and "就绪 0/5" in page
    assert "5 人超过响应时限未确认" in page
    assert f'href="/notifications/desk/?meeting={s.meeting.pk}"' in page
    assert f'href="/meetings/{s.meeting.pk}/dashboard/"' in page
    assert f'href="/faults/{s.fault.pk}/"' in page and "受理时限 已超时 5 分钟" in page
    assert 'href="/notifications/desk/#calls"' in page
    assert f'href="/notifications/groups/{s.group.pk}/edit/"' in page and "需管理员处理" in page
    assert "meeting:" not in page and "task:" not in page


def test_each_scope_sees_only_its_subtree(province, tomorrow, client):
    attention_scenario(province, tomorrow)  # everything in city 0 (county 0's townships)
    client.force_login(province.user("city1"))
    page = client.get("/").content.decode()
    assert kinds(page) == []
    assert "今天没有需要处理的事项" in page
    assert "没有未恢复的故障" in page and "没有超过响应时限未确认的人员" in page
    client.force_login(province.user("county1"))  # city 0's second county: its notices, no fault
    page = client.get("/").content.decode()
    assert "终端无法入会" not in page and "fault" not in kinds(page) and "没有未恢复的故障" in page
    client.force_login(province.user("county0"))
    assert {"fault", "unanswered", "meeting"} <= set(kinds(client.get("/").content.decode()))


def test_township_staff_see_their_own_next_task(province, tomorrow, client):
    s = attention_scenario(province, tomorrow)
    task = venue_task(s.meeting, province.venues[0])
    client.force_login(province.user("township0", Role.SUPPORT))
    page = client.get("/").content.decode()
    assert kinds(page) == ["my_task"]
    assert f'href="/meetings/tasks/{task.pk}/field/"' in page and "请确认接收" in page
    assert province.venues[0].name in page and "人员配置缺口" not in page
    # The fault assigned to them shows too; nobody else's.
    open_fault(province, township=1, title="别人的故障")
    fault = open_fault(province, title="交换机掉线", assignee=task.assignee)
    page = client.get("/").content.decode()
    assert f'href="/faults/{fault.pk}/"' in page and "别人的故障" not in page


def test_nothing_to_do_says_what_is_fine(province, client):
    client.force_login(province.user("province"))
    page = client.get("/").content.decode()
    assert 'id="attention-empty"' in page and "今天没有需要处理的事项" in page
    for text in ("今明两天没有会议", "没有待拨打的电话", "消息群机器人工作正常"):
        assert text in page


def test_rate_limited_robot_is_a_warning_not_an_alarm(province, client):
    ImGroup.objects.create(
        platform="wecom",
        name="限流的群",
        webhook_url="http://127.0.0.1:9/x",
        org_unit=province.province,
        paused_until=clock.now() + timedelta(minutes=1),
    )
    items = attention_for(province.user("province"), clock.now()).items
    assert [(i.kind, i.urgency, i.tone) for i in items] == [("im_group", 1, "warn")]
    assert items[0].badge.startswith("限流暂停至")


def test_poll_returns_the_partial_in_constant_queries(province, tomorrow, client):
    attention_scenario(province, tomorrow)
    client.force_login(province.user("province"))
    client.get("/?poll=1", **HTMX)  # warm the session
    with CaptureQueriesContext(connection) as few:
        response = client.get("/?poll=1", **HTMX)
    body = response.content.decode()
    assert response.status_code == 200 and "<html" not in body and 'id="attention"' in body
    for i in range(5):
        open_fault(province, township=i % 8, title=f"故障{i}")
    with CaptureQueriesContext(connection) as many:
        client.get("/?poll=1", **HTMX)
    assert len(many) == len(few)


def test_anonymous_goes_to_login_and_a_stale_poll_reloads(client, db):
    response = client.get("/")
    assert response.status_code == 302 and "/accounts/login" in response["Location"]
    assert client.get("/", **HTMX).headers.get("HX-Refresh") == "true"


@pytest.mark.parametrize("source", SOURCES, ids=lambda s: s.key)
def test_every_source_answers_for_every_role_without_error(province, source):
    for key, role in province.users:
        user = province.user(key, role)
        if source.applies(user):
            assert isinstance(source.collect(user, clock.now()), list)


def test_overdue_inspections_per_unit_in_scope(province, client):

    yesterday = clock.localnow().date() - timedelta(days=1)
    inspections_on(province, yesterday)  # due yesterday 10:00, all still open
    client.force_login(province.user("province"))
    page = client.get("/").content.decode()
    assert kinds(page).count("inspection_overdue") == 8
    assert 'href="/routine/inspections/overdue/"' in page and "1 项巡检逾期未完成" in page
    assert province.townships[0].name in page and "已超时" in page
    client.force_login(province.user("county1"))
    page = client.get("/").content.decode()
    assert kinds(page).count("inspection_overdue") == 2
    assert province.townships[0].name not in page
    Inspection.objects.update(state=Inspection.State.DONE)
    assert "没有逾期的巡检" in client.get("/").content.decode()


def test_uncovered_shifts_within_72_hours_link_to_the_period(province, client):

    start = clock.localnow().date() + timedelta(days=1)
    period = make_period(
        province.user("province"), province.venues[:1], days=1, starts_on=start, suggest=False
    )
    later = make_period(
        province.user("province"),
        province.venues[:1],
        days=1,
        starts_on=start + timedelta(days=5),
        suggest=False,
        name="远期保障",
    )
    client.force_login(province.user("province"))
    page = client.get("/").content.decode()
    assert kinds(page).count("shift_risk") == 1
    assert f'href="/duty/periods/{period.pk}/"' in page and "3 个班次无人值班" in page
    assert f'href="/duty/periods/{later.pk}/"' not in page  # more than 72 h ahead
    client.force_login(province.user("city1"))
    page = client.get("/").content.decode()
    assert "shift_risk" not in kinds(page) and "72 小时内的班次都有人值守且符合规则" in page


def test_township_staff_see_their_inspections_today_and_next_shift(province, client):

    venue = province.venues[0]
    today = clock.localnow().date() + timedelta(days=1)
    at_eight = timezone.make_aware(timezone.datetime(today.year, today.month, today.day, 8, 0))
    with time_machine.travel(at_eight - timedelta(days=1), tick=False):
        make_period(province.user("province"), [venue], days=2, starts_on=today)
    with time_machine.travel(at_eight, tick=False):
        inspection = next(i for i in inspections_on(province, today) if i.venue_id == venue.pk)
        client.force_login(province.user("township0", Role.SUPPORT))
        assert inspection.assignee.user == province.user("township0", Role.SUPPORT)
        page = client.get("/").content.decode()
        found = kinds(page)
        assert "my_inspection" in found and "inspection_overdue" not in found
        assert f'href="/routine/inspections/{inspection.pk}/"' in page
        shift = (
            Shift.objects.filter(assignee=inspection.assignee, ends_at__gt=at_eight)
            .order_by("starts_at")
            .first()
        )
        assert "my_shift" in found and f'href="/duty/shifts/{shift.pk}/"' in page
        assert "shift_risk" not in found  # that is the dispatchers' list

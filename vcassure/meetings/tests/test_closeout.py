"""The end of a meeting: each department completes its coordination task, tracking tasks roll up
from their subtree, the meeting closes with a note (refused while items are open unless forced),
and a meeting left open reminds the dispatch desk the next working morning."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from tests.factories.reports import hand_built_meeting
from vcassure.accounts.models import Role
from vcassure.core import clock
from vcassure.core.subjects import meeting_ref
from vcassure.faults.models import Fault
from vcassure.meetings.models import Meeting, SupportTask, TaskCompletion
from vcassure.meetings.services.closeout import meetings_remind_open
from vcassure.meetings.services.tasks import TaskMove, support_tasks_move, tasks_for_move
from vcassure.notifications.models import Notification

pytestmark = pytest.mark.django_db


@pytest.fixture
def built(province):
    start = (clock.localnow() + timedelta(days=2)).replace(
        hour=9, minute=0, second=0, microsecond=0
    )
    built = hand_built_meeting(province, start)
    with time_machine.travel(built.end + timedelta(hours=1), tick=False):
        yield built


def _coordination(meeting, role, unit=None) -> SupportTask:
    qs = SupportTask.objects.filter(meeting=meeting, role=role)
    if unit is not None:
        qs = qs.filter(org_unit=unit)
    return qs.get()


def _iso(value) -> str:
    return timezone.localtime(value).isoformat()


def test_broadcast_centre_records_channel_and_monitoring_times(built, province, api_client_for):
    task = _coordination(built.meeting, "broadcast")
    client = api_client_for(province.user("province"))
    with time_machine.travel(built.end + timedelta(hours=1), tick=False):
        response = client.post(
            f"/api/tasks/{task.pk}/complete",
            {
                "note": "信号稳定",
                "channel_opened_at": _iso(built.start - timedelta(minutes=60)),
                "signal_monitored_until": _iso(built.end),
            },
            content_type="application/json",
        )
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["task"]["state"] == "done"
    assert data["details"]["signal_ok"] is True
    assert data["details"]["channel_opened_at"].startswith(
        timezone.localtime(built.start - timedelta(minutes=60)).strftime("%Y-%m-%dT%H:%M")
    )
    again = client.post(
        f"/api/tasks/{task.pk}/complete", {"note": "x"}, content_type="application/json"
    )
    assert again.status_code == 409


def test_broadcast_without_times_is_refused_with_nothing_written(built, province, api_client_for):
    task = _coordination(built.meeting, "broadcast")
    response = api_client_for(province.user("province")).post(
        f"/api/tasks/{task.pk}/complete", {"note": ""}, content_type="application/json"
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "channel_opened_at"
    task.refresh_from_db()
    assert task.state != "done" and not TaskCompletion.objects.filter(task=task).exists()


def test_network_ops_trunk_check(built, province, api_client_for):
    task = _coordination(built.meeting, "network_ops", province.cities[0])
    client = api_client_for(province.user("city0"))
    abnormal = client.post(
        f"/api/tasks/{task.pk}/complete",
        {"trunk_checked_at": _iso(built.start - timedelta(hours=3)), "trunk_ok": False},
        content_type="application/json",
    )
    assert abnormal.status_code == 422  # an abnormal trunk needs a note
    response = client.post(
        f"/api/tasks/{task.pk}/complete",
        {"trunk_checked_at": _iso(built.start - timedelta(hours=3)), "trunk_ok": True},
        content_type="application/json",
    )
    assert response.status_code == 200
    assert response.json()["details"]["trunk_ok"] is True


def test_county_all_townships_ready_only_when_they_are(built, province, api_client_for):
    client = api_client_for(province.user("county0"))
    ready_county = _coordination(built.meeting, "tech_maintenance", province.counties[0])
    assert (
        client.post(
            f"/api/tasks/{ready_county.pk}/complete", {}, content_type="application/json"
        ).status_code
        == 200
    )
    late_county = _coordination(built.meeting, "tech_maintenance", province.counties[1])
    response = api_client_for(province.user("county1")).post(
        f"/api/tasks/{late_county.pk}/complete", {}, content_type="application/json"
    )
    assert response.status_code == 409
    assert response.json()["errors"][0]["venue"] == province.venues[2].name


def test_a_venue_task_is_a_409_and_another_scope_a_404(built, province, api_client_for):
    client = api_client_for(province.user("province"))
    venue = built.tasks["v0"]
    assert (
        client.post(
            f"/api/tasks/{venue.pk}/complete", {}, content_type="application/json"
        ).status_code
        == 409
    )
    other = _coordination(built.meeting, "tech_maintenance", province.counties[0])
    outsider = api_client_for(province.user("county2"))
    assert (
        outsider.post(
            f"/api/tasks/{other.pk}/complete", {}, content_type="application/json"
        ).status_code
        == 404
    )


def test_customer_tracking_completes_when_its_subtree_does(built, province, api_client_for):
    meeting = built.meeting
    county0_customer = _coordination(meeting, "customer", province.counties[0])
    city_customer = _coordination(meeting, "customer", province.cities[0])
    # A tracking task cannot be completed by hand.
    client = api_client_for(province.user("province"))
    assert (
        client.post(
            f"/api/tasks/{county0_customer.pk}/complete", {}, content_type="application/json"
        ).status_code
        == 409
    )
    # County 0: both venues shut down; its technical maintenance confirms → its customer dept done.
    tm0 = _coordination(meeting, "tech_maintenance", province.counties[0])
    client.post(f"/api/tasks/{tm0.pk}/complete", {}, content_type="application/json")
    county0_customer.refresh_from_db()
    assert county0_customer.state == "done"
    assert TaskCompletion.objects.get(task=county0_customer).details["rollup"] is True
    city_customer.refresh_from_db()
    assert city_customer.state != "done"  # county 1 and network operations still open
    # County 1: venue 2 never came, venue 3 has not shut down; cancel one, shut the other down.
    with_lock = tasks_for_move(
        SupportTask.objects.filter(pk__in=[built.tasks["v2"].pk, built.tasks["v3"].pk])
    )
    at = built.end + timedelta(minutes=30)
    support_tasks_move(
        [
            TaskMove(task=with_lock[0], to="cancelled", at=at),
            TaskMove(task=with_lock[1], to="done", at=at),
        ]
    )
    tm1 = _coordination(meeting, "tech_maintenance", province.counties[1])
    assert (
        client.post(
            f"/api/tasks/{tm1.pk}/complete", {}, content_type="application/json"
        ).status_code
        == 200
    )
    netops = _coordination(meeting, "network_ops", province.cities[0])
    client.post(
        f"/api/tasks/{netops.pk}/complete",
        {"trunk_checked_at": _iso(built.start), "trunk_ok": True},
        content_type="application/json",
    )
    city_customer.refresh_from_db()
    assert city_customer.state == "done"
    assert TaskCompletion.objects.get(task=city_customer).details["tasks"] == 9


def test_tracking_page_offers_completion_and_shows_the_subtree(built, province, client):
    client.force_login(province.user("county0"))
    tm0 = _coordination(built.meeting, "tech_maintenance", province.counties[0])
    track = client.get(f"/meetings/{built.meeting.pk}/track/").content.decode()
    assert f"/meetings/tasks/{tm0.pk}/complete/" in track
    page = client.get(f"/meetings/tasks/{tm0.pk}/complete/")
    assert page.status_code == 200 and "确认全部乡镇就绪" in page.content.decode()
    response = client.post(f"/meetings/tasks/{tm0.pk}/complete/", {"note": "已全部就绪"})
    assert response.status_code == 302
    tm0.refresh_from_db()
    assert tm0.state == "done"


def test_close_with_open_items_is_refused_listing_them(built, province, api_client_for):
    client = api_client_for(province.user("province"))
    response = client.post(
        f"/api/meetings/{built.meeting.pk}/close",
        {"note": "会议结束"},
        content_type="application/json",
    )
    assert response.status_code == 409
    kinds = [e["kind"] for e in response.json()["errors"]]
    assert kinds.count("venue_not_shut_down") == 2  # venue 2 (never came) and venue 3
    assert "coordination_incomplete" in kinds
    built.meeting.refresh_from_db()
    assert built.meeting.state == "ended"
    forced = client.post(
        f"/api/meetings/{built.meeting.pk}/close",
        {"note": "会议结束，遗留问题另行处理", "force": True},
        content_type="application/json",
    )
    assert forced.status_code == 200
    assert forced.json()["state"] == "closed"
    assert forced.json()["close_note"] == "会议结束，遗留问题另行处理"


def test_close_with_nothing_open(built, province, api_client_for):
    meeting = built.meeting
    at = built.end + timedelta(minutes=30)
    support_tasks_move(
        [
            TaskMove(
                task=t, to="cancelled" if t.state in ("pending", "notified") else "done", at=at
            )
            for t in tasks_for_move(
                SupportTask.objects.filter(meeting=meeting, kind="venue").exclude(state="done")
            )
        ]
    )
    for t in tasks_for_move(
        SupportTask.objects.filter(meeting=meeting, kind="coordination").open()
    ):
        if t.role in ("broadcast", "network_ops", "tech_maintenance"):
            support_tasks_move(
                [TaskMove(task=t, to="acknowledged", at=at), TaskMove(task=t, to="done", at=at)]
            )
    open_faults = Fault.objects.filter(pk=built.fault.pk, state="restored")
    assert open_faults.exists()
    client = api_client_for(province.user("province"))
    items = client.get(f"/api/meetings/{meeting.pk}/open-items").json()
    assert items["count"] == 0, items
    response = client.post(
        f"/api/meetings/{meeting.pk}/close", {"note": "全部完成"}, content_type="application/json"
    )
    assert response.status_code == 200
    meeting.refresh_from_db()
    assert meeting.state == Meeting.State.CLOSED
    assert meeting.closed_by == province.user("province")
    assert meeting.events.filter(kind="closed").exists()
    assert (
        client.post(
            f"/api/meetings/{meeting.pk}/close", {"note": "again"}, content_type="application/json"
        ).status_code
        == 409
    )


def test_close_needs_a_note_and_a_manager_in_scope(built, province, api_client_for):
    client = api_client_for(province.user("province"))
    assert (
        client.post(
            f"/api/meetings/{built.meeting.pk}/close",
            {"note": " ", "force": True},
            content_type="application/json",
        ).status_code
        == 422
    )
    reader = api_client_for(province.user("province", Role.READONLY))
    assert (
        reader.post(
            f"/api/meetings/{built.meeting.pk}/close",
            {"note": "x", "force": True},
            content_type="application/json",
        ).status_code
        == 403
    )
    outsider = api_client_for(province.user("county2"))
    assert (
        outsider.post(
            f"/api/meetings/{built.meeting.pk}/close",
            {"note": "x", "force": True},
            content_type="application/json",
        ).status_code
        == 404
    )


def test_close_page_lists_open_items_and_closes(built, province, client):
    client.force_login(province.user("province"))
    page = client.get(f"/meetings/{built.meeting.pk}/close/").content.decode()
    assert province.venues[2].name in page and "未记录关机" in page
    refused = client.post(f"/meetings/{built.meeting.pk}/close/", {"note": "结束"})
    assert refused.status_code == 409
    done = client.post(f"/meetings/{built.meeting.pk}/close/", {"note": "结束", "force": "on"})
    assert done.status_code == 302 and done["Location"] == f"/reports/meetings/{built.meeting.pk}/"


def test_open_meeting_reminds_the_desk_next_working_morning(built, province):
    meeting = built.meeting
    end_day = timezone.localtime(built.end).date()
    # The next working day after the meeting, at 08:59 and at 09:05.
    day = end_day + timedelta(days=1)
    from vcassure.notifications.calendar import is_workday

    while not is_workday(day):
        day += timedelta(days=1)
    tz = timezone.get_default_timezone()
    from datetime import datetime, time

    assert meetings_remind_open(datetime.combine(end_day, time(10, 0), tzinfo=tz)) == 0
    assert meetings_remind_open(datetime.combine(day, time(8, 59), tzinfo=tz)) == 0
    assert meetings_remind_open(datetime.combine(day, time(9, 5), tzinfo=tz)) == 1
    assert meetings_remind_open(datetime.combine(day, time(9, 15), tzinfo=tz)) == 0  # once a day
    reminders = Notification.objects.filter(topic=meeting_ref(meeting.pk), kind="info")
    assert reminders.exists()
    assert "尚未关闭" in reminders.first().body

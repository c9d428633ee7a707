"""R8 fibre routes: publishing an important or special meeting also dispatches one patrol task per
fibre route serving its venues to the line crew of the city's network operations; the crew checks
in, patrols with the fibre checklist (photos), stands by during the meeting and is released when
it ends. A normal meeting gets no patrol task."""

from datetime import timedelta

import pytest
import time_machine

from tests.factories.meetings import make_meeting, publish
from vcassure.accounts.models import Role
from vcassure.meetings.models import Meeting, SupportTask
from vcassure.meetings.services.check_in import support_task_check_in
from vcassure.meetings.services.clock import meetings_start_and_end
from vcassure.meetings.services.field_work import support_task_record_step
from vcassure.meetings.tests.field_helpers import photo
from vcassure.notifications.models import Notification
from vcassure.orgs.models import Department, Staff
from vcassure.venues.models import FibreRoute


@pytest.fixture
def routes(province):
    """Two routes to township 0's venue, one to township 4's (city 1), one to a venue the meeting
    does not use (township 7), and a line engineer in city 0's network operations."""
    netops = Department.objects.get(org_unit=province.cities[0], kind="network_ops")
    Staff.objects.create(
        code="LINE-01", name="线路班长", org_unit=province.cities[0], department=netops,
        title="光缆线路维护员", mobile="13900000001",
    )  # fmt: skip
    return [
        FibreRoute.objects.create(
            venue=province.venues[0], name="城东局—镇0 主用", from_site="城东局"
        ),
        FibreRoute.objects.create(
            venue=province.venues[0], name="城东局—镇0 备用", from_site="城东局"
        ),
        FibreRoute.objects.create(venue=province.venues[4], name="城西局—镇4", from_site="城西局"),
        FibreRoute.objects.create(venue=province.venues[7], name="未参会线路"),
    ]


@pytest.mark.parametrize("importance", ["important", "special"])
def test_important_meeting_gets_a_patrol_task_per_serving_route(
    province, tomorrow, routes, importance
):
    meeting = publish(
        province,
        make_meeting(province, tomorrow, province.venues[:5], importance=importance),
    )
    patrols = list(
        SupportTask.objects.filter(meeting=meeting, kind="patrol").select_related(
            "fibre_route", "assignee", "department", "parent"
        )
    )
    assert sorted(t.fibre_route.name for t in patrols) == [
        "城东局—镇0 主用",
        "城东局—镇0 备用",
        "城西局—镇4",
    ]
    for task in patrols:
        city = (
            province.cities[0]
            if task.fibre_route.venue == province.venues[0]
            else province.cities[1]
        )
        assert task.role == "fibre_patrol" and task.org_unit == city
        assert task.department.kind == "network_ops" and task.department.org_unit == city
        assert task.assignee.department == task.department and task.assignment == "department"
        assert task.parent.role == "network_ops" and task.parent.org_unit == city
        assert task.on_site_due_at == meeting.starts_at - timedelta(minutes=120)
        assert task.ready_due_at == meeting.starts_at - timedelta(minutes=30)
    # City 0's line engineer (post names the line) takes city 0's routes.
    assert {t.assignee.name for t in patrols if t.org_unit == province.cities[0]} == {"线路班长"}
    # Each crew member is told personally, with the route.
    notice = Notification.objects.get(subject=f"task:{patrols[0].pk}")
    assert notice.recipient == patrols[0].assignee and patrols[0].fibre_route.name in notice.body


def test_normal_meeting_gets_no_patrol_task(province, tomorrow, routes):
    meeting = publish(province, make_meeting(province, tomorrow, province.venues[:5]))
    assert not SupportTask.objects.filter(meeting=meeting, kind="patrol").exists()
    assert SupportTask.objects.filter(meeting=meeting, kind="venue").count() == 6


def test_patrol_then_standby(province, tomorrow, routes, client):
    meeting = publish(
        province, make_meeting(province, tomorrow, province.venues[:1], importance="important")
    )
    task = SupportTask.objects.filter(meeting=meeting, kind="patrol").first()
    crew = task.assignee
    crew.user = province.user("city0", Role.SUPPORT)
    Staff.objects.filter(user=crew.user).exclude(pk=crew.pk).update(user=None)
    crew.save(update_fields=["user"])
    with time_machine.travel(meeting.starts_at - timedelta(hours=3), tick=False):
        client.force_login(crew.user)
        assert task.fibre_route.name in client.get("/meetings/tasks/mine/").content.decode()
        page = client.get(f"/meetings/tasks/{task.pk}/field/").content.decode()
        assert task.fibre_route.name in page and "会前巡查光缆路由" in page
        assert "检查分会场机房" not in page  # the venue checklist is the venue person's
        support_task_check_in(task, by=crew.user)
        support_task_record_step(task, by=crew.user, number=1, result="pass", photos=[photo()])
        support_task_record_step(task, by=crew.user, number=2, result="pass")
        support_task_record_step(task, by=crew.user, number=3, result="pass")
    task.refresh_from_db()
    assert task.state == "ready" and task.checked_in_at is not None
    meetings_start_and_end(meeting.starts_at)
    task.refresh_from_db()
    assert task.state == "in_meeting"  # standing by
    meetings_start_and_end(meeting.ends_at)
    task.refresh_from_db()
    assert task.state == "done"
    assert Meeting.objects.get(pk=meeting.pk).state == "ended"


def test_a_failed_patrol_step_opens_a_fault_at_the_served_venue(province, tomorrow, routes):
    meeting = publish(
        province, make_meeting(province, tomorrow, province.venues[:1], importance="important")
    )
    task = SupportTask.objects.filter(meeting=meeting, kind="patrol").first()
    admin = province.user("province")
    with time_machine.travel(meeting.starts_at - timedelta(hours=3), tick=False):
        support_task_check_in(task, by=admin)
        support_task_record_step(task, by=admin, number=1, result="fail", note="路由旁有施工")
    task.refresh_from_db()
    assert task.state == "faulty"
    from vcassure.faults.models import Fault

    fault = Fault.objects.get(subject=f"task:{task.pk}")
    assert fault.venue == province.venues[0] and task.fibre_route.name in fault.title
    assert fault.assigned_department.kind == "network_ops"


def test_the_crew_on_standby_is_found_for_a_fibre_fault(province, tomorrow, routes):
    from vcassure.meetings.selectors.field_work import standby_patrol_for_venue

    meeting = publish(
        province, make_meeting(province, tomorrow, province.venues[:1], importance="important")
    )
    task = SupportTask.objects.filter(meeting=meeting, kind="patrol").order_by("id").first()
    venue = province.venues[0]
    assert standby_patrol_for_venue(venue.pk, at=meeting.starts_at) is None  # not checked in yet
    with time_machine.travel(meeting.starts_at - timedelta(hours=2), tick=False):
        support_task_check_in(task, by=province.user("province"))
    during = meeting.starts_at + timedelta(minutes=30)
    found = standby_patrol_for_venue(venue.pk, at=during)
    assert found == task and found.assignee == task.assignee
    assert standby_patrol_for_venue(province.venues[4].pk, at=during) is None
    assert standby_patrol_for_venue(venue.pk, at=meeting.ends_at + timedelta(hours=2)) is None


def test_a_fibre_fault_during_the_meeting_goes_straight_to_the_crew_on_standby(
    province, tomorrow, routes, django_capture_on_commit_callbacks
):
    from vcassure.faults.models import Fault

    meeting = publish(
        province, make_meeting(province, tomorrow, province.venues[:1], importance="important")
    )
    patrol = SupportTask.objects.filter(meeting=meeting, kind="patrol").order_by("id").first()
    venue_task = SupportTask.objects.get(meeting=meeting, kind="venue", venue=province.venues[0])
    admin = province.user("province")
    with time_machine.travel(venue_task.on_site_due_at - timedelta(hours=1), tick=False):
        support_task_check_in(patrol, by=admin)  # the crew on its route, standing by
        support_task_check_in(venue_task, by=admin)
    during = meeting.starts_at + timedelta(minutes=20)
    with (
        time_machine.travel(during, tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        support_task_record_step(
            venue_task,
            by=admin,
            number=1,
            result="fail",
            note="光功率过低",
            template_code="fibre-r8",
        )
    fault = Fault.objects.get(subject=f"task:{venue_task.pk}")
    assert fault.state == "assigned" and fault.assignee == patrol.assignee
    assert fault.severity == "critical"
    assert fault.events.filter(kind="assigned", actor=None).exists()


def test_a_venue_fault_that_is_not_fibre_waits_for_network_operations(
    province, tomorrow, routes, django_capture_on_commit_callbacks
):
    from vcassure.faults.models import Fault

    meeting = publish(
        province, make_meeting(province, tomorrow, province.venues[:1], importance="important")
    )
    patrol = SupportTask.objects.filter(meeting=meeting, kind="patrol").order_by("id").first()
    venue_task = SupportTask.objects.get(meeting=meeting, kind="venue", venue=province.venues[0])
    admin = province.user("province")
    with time_machine.travel(venue_task.on_site_due_at - timedelta(hours=1), tick=False):
        support_task_check_in(patrol, by=admin)
        support_task_check_in(venue_task, by=admin)
        with django_capture_on_commit_callbacks(execute=True):
            support_task_record_step(venue_task, by=admin, number=1, result="fail", note="机柜无电")
    fault = Fault.objects.get(subject=f"task:{venue_task.pk}")
    assert fault.state == "open" and fault.assignee is None


def test_meeting_page_lists_the_patrols(province, tomorrow, routes, client):
    meeting = publish(
        province, make_meeting(province, tomorrow, province.venues[:5], importance="important")
    )
    client.force_login(province.user("province"))
    page = client.get(f"/meetings/{meeting.pk}/").content.decode()
    assert 'id="fibre-patrols"' in page and "城西局—镇4" in page and "线路班长" in page
    client.force_login(province.user("city1"))  # another city sees its own route only
    page = client.get(f"/meetings/{meeting.pk}/").content.decode()
    assert "城西局—镇4" in page and "城东局—镇0 主用" not in page
    normal = publish(province, make_meeting(province, tomorrow, province.venues[:5], title="例会"))
    assert 'id="fibre-patrols"' not in client.get(f"/meetings/{normal.pk}/").content.decode()

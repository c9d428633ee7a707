"""Field work by role: only a venue task's assignee, and someone who manages meetings in its scope
acting on the assignee's behalf (audited as such), may check in or record a checklist step, on the
phone pages and through the API. Another person of the same township and a read-only user who can
see the task are refused with 403 and a Chinese message; a dispatcher of another scope gets 404.
Nothing is written by a refused request. A meta-test makes every new field write route join."""

import json
from dataclasses import dataclass
from datetime import timedelta

import pytest
import time_machine
from django.test import Client

from tests.factories.meetings import make_meeting
from tests.factories.orgs import StaffFactory, UserFactory
from tests.security.routes import parameterised_routes
from vcassure.accounts.models import Role
from vcassure.accounts.services import api_token_create
from vcassure.core.models import AuditEvent
from vcassure.faults.models import Fault
from vcassure.meetings import services
from vcassure.meetings.models import SupportTask
from vcassure.meetings.services import check_in
from vcassure.meetings.services import field_work as field

FAIL = {"result": "fail", "note": "机柜无电"}


@dataclass(frozen=True)
class Action:
    route: str  # as the URL resolver spells it (checked against it below)
    url: str  # with {pk}
    api: bool
    body: dict
    needs_check_in: bool  # the step actions need the assignee on site first


ACTIONS = {
    "api check-in": Action(
        "api/tasks/<int:task_id>/check-in", "/api/tasks/{pk}/check-in", True, {}, False
    ),
    "api step": Action(
        "api/tasks/<int:task_id>/steps/<int:number>", "/api/tasks/{pk}/steps/1", True, FAIL, True
    ),
    "page check-in": Action(
        "meetings/tasks/<int:pk>/field/check-in/",
        "/meetings/tasks/{pk}/field/check-in/",
        False,
        {},
        False,
    ),
    "page step": Action(
        "meetings/tasks/<int:pk>/field/steps/<slug:template_code>/<int:number>/",
        "/meetings/tasks/{pk}/field/steps/venue-r7/1/",
        False,
        FAIL,
        True,
    ),
}

# role -> what it gets: "work" (done by the assignee), "on_behalf" (done, audited for the
# assignee), 403 (sees the task, may not work it), 404 (another scope: as if it did not exist).
ROLES = {
    "assignee": "work",
    "township colleague": 403,
    "read-only in scope": 403,
    "county dispatcher": "on_behalf",
    "other county dispatcher": 404,
}


@pytest.fixture
def task(province, tomorrow, settings):
    settings.SMS_GATEWAY_URL = "http://127.0.0.1:9/sms"
    meeting = make_meeting(province, tomorrow, province.venues[:2])
    services.meeting_publish(meeting, by=province.user("province"), confirm_shortfalls=True)
    task = SupportTask.objects.select_related("meeting", "assignee").get(
        meeting=meeting, venue=province.venues[0]
    )
    assert task.assignee.user == province.user("township0", Role.SUPPORT)
    return task


def user_for(role: str, province, task):
    if role == "assignee":
        return task.assignee.user
    if role == "township colleague":
        user = UserFactory(username="township0-colleague", role=Role.SUPPORT)
        StaffFactory(org_unit=province.townships[0], user=user, name="同镇同事")
        return user
    if role == "read-only in scope":
        user = UserFactory(username="county0-readonly", role=Role.READONLY)
        StaffFactory(org_unit=province.counties[0], user=user, name="县只读")
        return user
    if role == "county dispatcher":
        return province.user("county0", Role.DISPATCHER)
    if role == "other county dispatcher":
        return province.user("county2", Role.DISPATCHER)
    raise AssertionError(role)


def client_for(user, *, api: bool) -> Client:
    if api:
        _token, key = api_token_create(user=user)
        return Client(HTTP_AUTHORIZATION=f"Bearer {key}")
    client = Client()
    client.force_login(user)
    return client


def send(client: Client, action: Action, task) -> object:
    url = action.url.format(pk=task.pk)
    if action.api:
        return client.post(url, json.dumps(action.body), content_type="application/json")
    return client.post(url, action.body)


def on_behalf_events(task):
    return AuditEvent.objects.filter(
        action="task.field_on_behalf", object_type="meetings.supporttask", object_id=str(task.pk)
    )


@pytest.mark.parametrize("action_name", sorted(ACTIONS))
@pytest.mark.parametrize("role", list(ROLES))
def test_field_work_by_role(role, action_name, province, task, snapshot):
    action, expected = ACTIONS[action_name], ROLES[role]
    with time_machine.travel(task.meeting.starts_at - timedelta(minutes=90), tick=False):
        if action.needs_check_in:
            check_in.support_task_check_in(task, by=task.assignee.user)
        user = user_for(role, province, task)
        client = client_for(user, api=action.api)
        changes = snapshot(task)
        response = send(client, action, task)
    task.refresh_from_db()
    body = response.content.decode()
    if expected in (403, 404):
        assert response.status_code == expected, body[:300]
        if expected == 403:
            message = "只有任务的保障人员本人或本辖区调度员可以签到和记录检查。"
            assert (response.json()["detail"] if action.api else body).count(message)
        assert changes() == [], f"{role} {action_name}: rows changed"
        return
    assert response.status_code == (200 if action.api else 302), body[:300]
    if action.needs_check_in:  # the failed step: the task went faulty and a fault opened
        assert task.state == SupportTask.State.FAULTY
        assert Fault.objects.filter(subject=f"task:{task.pk}").exists()
    else:
        assert task.checked_in_at is not None and task.state == SupportTask.State.ON_SITE
    events = list(on_behalf_events(task))
    if expected == "on_behalf":
        assert [(e.actor_id, e.changes["assignee_id"]) for e in events] == [
            (user.pk, task.assignee_id)
        ]
        assert events[0].changes["assignee"] == task.assignee.name
    else:
        assert events == []


def test_the_card_is_readable_in_scope_but_offers_no_buttons_to_those_who_cannot_work(
    province, task
):
    with time_machine.travel(task.meeting.starts_at - timedelta(minutes=90), tick=False):
        reader = client_for(user_for("read-only in scope", province, task), api=False)
        page = reader.get(f"/meetings/tasks/{task.pk}/field/")
        assert page.status_code == 200
        html = page.content.decode()
        assert 'id="check-in-form"' not in html and 'class="step-form"' not in html
        dispatcher = client_for(user_for("county dispatcher", province, task), api=False)
        html = dispatcher.get(f"/meetings/tasks/{task.pk}/field/").content.decode()
        assert 'id="check-in-form"' in html


def test_every_field_write_route_is_in_the_matrix():
    routes = parameterised_routes()
    field_writes = {
        route
        for route in routes
        if route.startswith("meetings/tasks/<int:pk>/field/")
        and route != "meetings/tasks/<int:pk>/field/"
    } | {
        route
        for route in routes
        if route.startswith("api/tasks/<int:task_id>/")
        # acknowledging has its own matrix; completing is a coordination task's (test_closeout)
        and route not in ("api/tasks/<int:task_id>/ack", "api/tasks/<int:task_id>/complete")
    }
    assert len(field_writes) == 6
    assert field_writes == {a.route for a in ACTIONS.values()} | {PHOTO_ROUTE, ACCESS_ROUTE}


ACCESS_ROUTE = "meetings/tasks/<int:pk>/field/access/"


@pytest.mark.parametrize("role", list(ROLES))
def test_the_venue_access_report_by_role(role, province, task, snapshot):
    """ "I cannot get into the venue" obeys the same matrix (a fault of source access opens)."""
    expected = ROLES[role]
    with time_machine.travel(task.meeting.starts_at - timedelta(minutes=90), tick=False):
        user = user_for(role, province, task)
        client = client_for(user, api=False)
        changes = snapshot(task)
        response = client.post(f"/meetings/tasks/{task.pk}/field/access/", {"note": "门锁着"})
    if expected in (403, 404):
        assert response.status_code == expected
        if expected == 403:
            assert "只有任务的保障人员本人或本辖区调度员可以签到和记录检查。" in (
                response.content.decode()
            )
        assert changes() == [], f"{role}: rows changed"
        return
    assert response.status_code == 302
    assert Fault.objects.filter(subject=f"task:{task.pk}", source="access").exists()


PHOTO_ROUTE = "meetings/tasks/<int:pk>/field/steps/<slug:template_code>/<int:number>/photos/"


@pytest.mark.parametrize("role", list(ROLES))
def test_a_photo_following_its_answer_by_role(role, province, task, snapshot):
    """The photo that follows a step's answer (the phone's script) obeys the same matrix."""
    from tests.factories.files import photo
    from vcassure.checklists.models import StepResult

    expected = ROLES[role]
    with time_machine.travel(task.meeting.starts_at - timedelta(minutes=90), tick=False):
        check_in.support_task_check_in(task, by=task.assignee.user)
        field.support_task_record_step(
            task, by=task.assignee.user, number=1, result="pass", photos_to_follow=1
        )
        user = user_for(role, province, task)
        client = client_for(user, api=False)
        changes = snapshot(task)
        response = client.post(
            f"/meetings/tasks/{task.pk}/field/steps/venue-r7/1/photos/",
            {"photo": photo()},
            HTTP_ACCEPT="application/json",
        )
    if expected in (403, 404):
        assert response.status_code == expected
        if expected == 403:
            assert response.json()["detail"] == (
                "只有任务的保障人员本人或本辖区调度员可以签到和记录检查。"
            )
        assert changes() == [], f"{role}: rows changed"
        assert StepResult.objects.get(step__number=1).photos_pending == 1
        return
    assert response.status_code == 200 and response.json()["photos_pending"] == 0

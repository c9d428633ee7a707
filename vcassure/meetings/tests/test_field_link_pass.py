"""No login wall: the personal acknowledgement link opens THAT task's field pages (check-in, steps,
photos) without a password until a few hours after the meeting; other pages and other tasks still
need a login. (The `task` and `before` fixtures are in conftest.py.)"""

from datetime import timedelta

import time_machine

from tests.factories.meetings import task_notice, venue_task
from tests.factories.notifications import ack_token
from vcassure.checklists.models import StepPhoto, StepResult
from vcassure.core.models import AuditEvent
from vcassure.meetings.models import TaskTransition
from vcassure.meetings.tests.field_helpers import card_url, check_in, photo, record, step_url


def _link(task) -> str:
    return f"/ack/{ack_token(task_notice(task))}"


def test_link_only_from_message_to_a_passed_step_one(task, before, client):
    # Tap 1: the link in the message; tap 2: "确认收到"; tap 3: "我已到场，签到" on the same page.
    assert client.get(_link(task)).status_code == 200
    done = client.post(_link(task)).content.decode()
    assert "确认成功" in done and "我已到场，签到" in done and "需要先登录" not in done
    # The check-in posts to the link itself (the page is served with no referrer: see ack.py).
    checked = client.post(_link(task), {"check_in": "1", "lat": "", "lng": ""})
    assert checked.status_code == 302 and checked["Location"] == card_url(task) + "#checklists"
    card = client.get(card_url(task))
    assert card.status_code == 200 and "已于" in card.content.decode()
    # Step 1 with its photo, no typing before it: recorded as the person's own.
    assert record(client, task, 1, photos=[photo()]).status_code == 302
    result = StepResult.objects.get(step__number=1, run__subject=f"task:{task.pk}")
    assert result.result == "pass" and result.recorded_by == task.assignee.user
    page = client.get(card_url(task)).content.decode()
    assert "step-pass" in page
    shown = StepPhoto.objects.get(result=result)
    assert client.get(f"/checklists/photos/{shown.pk}/?thumb=1").status_code == 200
    task.refresh_from_db()
    assert task.state == "on_site" and task.checked_in_at is not None
    on_site = TaskTransition.objects.get(task=task, to_state="on_site")
    assert on_site.note == "link" and on_site.actor == task.assignee.user
    audit = AuditEvent.objects.filter(action="task.field_by_link", object_id=str(task.pk))
    assert audit.count() == 2 and audit.first().changes["staff_id"] == task.assignee_id


def test_the_link_does_not_open_other_pages_or_other_tasks(task, before, client):
    other = venue_task(task.meeting, task.meeting.venues.exclude(pk=task.venue_id).first())
    client.get(_link(task))
    assert client.get(card_url(task)).status_code == 200
    for url in (card_url(other), step_url(other, 1), "/meetings/", "/meetings/tasks/mine/"):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], url
    refused = check_in(client, other)
    assert refused.status_code == 302 and "/accounts/login/" in refused["Location"]
    other.refresh_from_db()
    assert other.checked_in_at is None


def test_the_cards_own_check_in_works_with_the_pass(task, before, client):
    client.get(_link(task))
    assert check_in(client, task).status_code == 302
    task.refresh_from_db()
    assert task.state == "on_site"


def test_the_link_reports_that_the_venue_is_locked(task, before, client):
    from vcassure.faults.models import Fault

    client.get(_link(task))
    response = client.post(f"/meetings/tasks/{task.pk}/field/access/", {"note": "机房门锁着"})
    assert response.status_code == 302
    fault = Fault.objects.get(subject=f"task:{task.pk}", source="access")
    assert fault.opened_by == task.assignee.user
    assert AuditEvent.objects.filter(action="task.field_by_link", object_id=str(task.pk)).exists()


def test_without_the_link_the_card_needs_a_login(task, before, client):
    response = client.get(card_url(task))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_pass_ends_hours_after_the_meeting(task, before, client, settings):
    client.get(_link(task))
    ends = task.meeting.ends_at + timedelta(hours=settings.FIELD_PASS_HOURS_AFTER_MEETING)
    with time_machine.travel(ends - timedelta(minutes=1), tick=False):
        assert client.get(card_url(task)).status_code == 200
    with time_machine.travel(ends + timedelta(minutes=1), tick=False):
        response = client.get(card_url(task))
        assert response.status_code == 302
        assert "/accounts/login/" in response["Location"]
        # The link itself grants no new pass once that time has passed.
        client.get(_link(task))
        assert client.get(card_url(task)).status_code == 302


def test_a_tampered_pass_is_worthless(task, before, client):
    client.get(_link(task))
    session = client.session
    passes = session["_subject_passes"]
    value = passes[f"task:{task.pk}"]
    passes[f"task:{task.pk}"] = value[:-3] + "AAA"
    session["_subject_passes"] = passes
    session.save()
    assert client.get(card_url(task)).status_code == 302

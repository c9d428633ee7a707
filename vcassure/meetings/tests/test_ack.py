"""Acknowledgement by personal link (page and API) and by the task API."""

from datetime import timedelta

import pytest
import time_machine

from tests.factories.meetings import published_meeting, task_notice, venue_task
from tests.factories.notifications import ack_token
from vcassure.accounts.models import Role
from vcassure.core.models import AuditEvent
from vcassure.meetings.models import TaskTransition
from vcassure.notifications.models import Notification
from vcassure.notifications.services import acknowledgements_apply_all


@pytest.fixture
def published(province, tomorrow, settings):
    settings.SMS_GATEWAY_URL = "http://127.0.0.1:9/sms"
    meeting = published_meeting(province, tomorrow, province.venues[:3])
    task = venue_task(meeting, province.venues[0])
    notice = task_notice(task)
    token = ack_token(notice)
    return meeting, task, token


def test_ack_page_on_a_phone_acknowledges_once(published, client):
    meeting, task, token = published
    page = client.get(f"/ack/{token}")
    assert page.status_code == 200
    html = page.content.decode()
    assert task.venue.name in html and "确认收到" in html and "96311" in html
    done = client.post(f"/ack/{token}")
    assert done.status_code == 200 and "确认成功" in done.content.decode()
    # The answer is recorded at once (escalation stops); the task moves when the worker applies it.
    notice = task_notice(task)
    assert (
        notice.acknowledged_at is not None
        and notice.next_escalation_at is None
        and notice.ack_effects_pending
    )
    assert acknowledgements_apply_all() == 1
    task.refresh_from_db()
    assert task.state == "acknowledged" and task.acknowledged_at == notice.acknowledged_at
    again = client.get(f"/ack/{token}").content.decode()
    assert "已确认" in again and "确认收到</button>" not in again
    assert client.post(f"/ack/{token}").status_code == 200
    assert acknowledgements_apply_all() == 0
    assert TaskTransition.objects.filter(task=task, to_state="acknowledged").count() == 1
    audit = AuditEvent.objects.get(action="notification.acknowledge", object_id=str(notice.pk))
    assert audit.ip_address == "127.0.0.1" and audit.changes["via"] == "link"


def test_forged_and_expired_links_get_a_clear_page(published, client, settings):
    _meeting, _task, token = published
    forged = client.get(f"/ack/{token[:-4]}AAAA")
    assert forged.status_code == 404 and "该确认链接无效" in forged.content.decode()
    with time_machine.travel(timedelta(hours=settings.ACK_LINK_MAX_AGE_HOURS + 1)):
        expired = client.post(f"/ack/{token}")
    assert expired.status_code == 410 and "已过期" in expired.content.decode()


def test_ack_link_api(published, client):
    _meeting, task, token = published
    shown = client.get(f"/api/ack/{token}").json()
    assert shown["used"] is False and shown["task"]["id"] == task.pk
    first = client.post(f"/api/ack/{token}").json()
    assert first["acknowledged"] and first["first_time"]
    repeat = client.post(f"/api/ack/{token}")
    assert repeat.status_code == 200 and repeat.json()["first_time"] is False
    assert repeat.json()["acknowledged_at"] == first["acknowledged_at"]
    acknowledgements_apply_all()
    shown = client.get(f"/api/ack/{token}").json()
    assert shown["used"] is True and shown["task"]["state"] == "acknowledged"
    assert client.post("/api/ack/not-a-token").status_code == 404


def test_task_ack_api_by_assignee_idempotent(published, province, api_client_for):
    _meeting, task, _token = published
    api = api_client_for(province.user("township0", Role.SUPPORT))
    first = api.post(f"/api/tasks/{task.pk}/ack")
    assert first.status_code == 200 and first.json()["first_time"] is True
    again = api.post(f"/api/tasks/{task.pk}/ack")
    assert again.status_code == 200 and again.json()["first_time"] is False
    assert (
        Notification.objects.get(
            subject=f"task:{task.pk}", recipient=task.assignee
        ).acknowledged_via
        == "api"
    )


def test_task_ack_other_scope_is_404(published, province, api_client_for):
    _meeting, task, _token = published
    for user in (province.user("township2", Role.SUPPORT), province.user("county1")):
        assert api_client_for(user).post(f"/api/tasks/{task.pk}/ack").status_code == 404
    task.refresh_from_db()
    assert task.state in ("pending", "notified")

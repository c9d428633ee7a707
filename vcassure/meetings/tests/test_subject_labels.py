"""Names, not codes: the dispatch desk, the delivery log and a delivery's page name a notice's
meeting and task as what they are (title; venue and person), with links, never `meeting:1`."""

import re

import pytest
from django.utils import timezone

from tests.factories.meetings import published_meeting, venue_task
from vcassure.core.subjects import describe, meeting_ref, task_ref
from vcassure.notifications.models import Delivery, DeliveryAttempt

RAW = re.compile(r"\b(meeting|task):\d+")


@pytest.fixture(autouse=True)
def sms_configured(settings):
    """Personal notices need a configured channel to get a delivery row (never contacted here)."""
    settings.SMS_GATEWAY_URL = "http://127.0.0.1:9/sms"


def test_references_are_described_by_the_app_that_owns_them(province, tomorrow):
    meeting = published_meeting(province, tomorrow, province.venues[:2])
    task = venue_task(meeting, province.venues[0])
    labels = describe([meeting_ref(meeting.pk), task_ref(task.pk), "task:999999", "fault:5"])
    assert labels[meeting_ref(meeting.pk)].text == meeting.title
    assert labels[meeting_ref(meeting.pk)].url == f"/meetings/{meeting.pk}/"
    assert labels[task_ref(task.pk)].text == f"{task.venue.name} · {task.assignee.name}"
    assert labels[task_ref(task.pk)].url == f"/meetings/tasks/{task.pk}/field/"
    assert labels["task:999999"].text == "任务 #999999"  # gone: called by kind and number
    assert labels["fault:5"].text == "故障 #5"  # nobody labels faults yet


def test_desk_and_delivery_log_show_names_and_no_raw_references(province, tomorrow, client):
    meeting = published_meeting(province, tomorrow, province.venues[:2])
    task = venue_task(meeting, province.venues[0])
    sent = Delivery.objects.filter(notification__subject=task_ref(task.pk)).first()
    DeliveryAttempt.objects.create(
        delivery=sent, at=timezone.now(), ok=True, http_status=200, duration_ms=12
    )
    client.force_login(province.user("province"))
    for url in (
        "/notifications/desk/",
        "/notifications/deliveries/",
        f"/notifications/deliveries/{sent.pk}/",
    ):
        page = client.get(url).content.decode()
        assert not RAW.search(page), f"{url} shows {RAW.search(page).group(0)}"
    log = client.get("/notifications/deliveries/").content.decode()
    assert f'<a href="/meetings/{meeting.pk}/">{meeting.title}</a>' in log
    assert (
        f'<a href="/meetings/tasks/{task.pk}/field/">{task.venue.name} · {task.assignee.name}</a>'
        in log
    )
    assert "HTTP 200" not in log, "a successful attempt has no error to show"
    desk = client.get("/notifications/desk/").content.decode()
    assert f'<option value="{meeting.pk}">{meeting.title}</option>' in desk


def test_the_delivery_log_filters_by_a_persons_name(province, tomorrow, client):
    meeting = published_meeting(province, tomorrow, province.venues[:2])
    task = venue_task(meeting, province.venues[0])
    other = venue_task(meeting, province.venues[1])
    client.force_login(province.user("province"))
    page = client.get("/notifications/deliveries/", {"staff": task.assignee.name}).content.decode()
    mine = Delivery.objects.filter(notification__recipient=task.assignee).first()
    theirs = Delivery.objects.filter(notification__recipient=other.assignee).first()
    assert f'data-delivery="{mine.pk}"' in page
    assert f'data-delivery="{theirs.pk}"' not in page
    by_meeting = client.get("/notifications/deliveries/", {"meeting": meeting.pk + 1000})
    assert f'data-delivery="{mine.pk}"' not in by_meeting.content.decode()


@pytest.mark.parametrize(
    "query",
    [
        {"meeting": "99999999999999999999999"},
        {"meeting": "-1"},
        {"meeting": "abc"},
        {"staff": "99999999999999999999999"},
        {"staff": "١٢"},
        {"staff": "x" * 300},
    ],
)
def test_bad_filter_values_are_answered_not_crashed(tree, client, query):
    client.force_login(tree.user("province"))
    for url in ("/notifications/deliveries/", "/notifications/desk/"):
        assert client.get(url, query).status_code == 200

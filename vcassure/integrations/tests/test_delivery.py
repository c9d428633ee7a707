"""Webhooks end to end: real services make the events, the real sender POSTs them to a receiver
on 127.0.0.1 that checks each signature with its own HMAC."""

import json
from collections import defaultdict
from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories.meetings import make_meeting, publish
from vcassure.core import clock
from vcassure.faults import services as fault_services
from vcassure.integrations.models import WebhookDelivery, WebhookSubscription
from vcassure.integrations.services import (
    webhook_deliveries_drain,
    webhook_delivery_replay,
    webhook_subscription_update,
)
from vcassure.integrations.services.sender import sign_headers
from vcassure.meetings import services as meeting_services
from vcassure.meetings.models import SupportTask
from vcassure.meetings.services.tasks import TaskAck, support_tasks_acknowledge
from vcassure.notifications.models import Notification

Status = WebhookDelivery.Status
# The meeting and fault signals are sent when the business transaction commits.
pytestmark = pytest.mark.django_db(transaction=True)


def _acknowledge_all(meeting) -> None:
    tasks = SupportTask.objects.filter(meeting=meeting, kind="venue")
    support_tasks_acknowledge([TaskAck(task_id=t.pk, at=clock.now()) for t in tasks])


def test_a_published_meeting_reaches_the_receiver_signed(
    province, tomorrow, subscription, receiver
):
    meeting = publish(province, make_meeting(province, tomorrow, province.venues[:2]))
    assert webhook_deliveries_drain() >= 1
    assert receiver.rejected == [] and receiver.errors == []
    [event] = [e for e in receiver.events if e.type == "meeting.published"]
    assert event.id.startswith("msg_")
    assert event.data["id"] == meeting.pk and event.data["state"] == "published"
    assert event.data["previous_state"] == "draft"
    assert set(event.body) == {"type", "timestamp", "data"}
    assert event.body["timestamp"].endswith("+08:00")
    request = next(r for r in receiver.received if r.headers["webhook-id"] == event.id)
    assert request.headers["content-type"] == "application/json"
    assert request.headers["webhook-signature"].startswith("v1,")
    row = WebhookDelivery.objects.get(event_id=event.id)
    assert (row.status, row.attempts, row.last_status_code) == (Status.DELIVERED, 1, 200)
    assert '"ok"' in row.response_snippet


def test_the_signature_is_the_one_the_scheme_defines(receiver):
    """The sender's headers checked by the receiver's own HMAC (tests/fakes/webhooks.py) and by
    the Standard Webhooks reference verifier: both accept, and a changed body fails both."""
    from standardwebhooks import Webhook
    from standardwebhooks.webhooks import WebhookVerificationError

    from tests.fakes.webhooks import expected_signature

    body = json.dumps(
        {"type": "fault.opened", "timestamp": "t", "data": {"标题": "断电"}}, ensure_ascii=False
    )
    headers = sign_headers(secret=receiver.secret, msg_id="msg_1", at=clock.now(), body=body)
    assert headers["webhook-signature"] == expected_signature(
        receiver.secret, "msg_1", headers["webhook-timestamp"], body.encode()
    )
    assert Webhook(receiver.secret).verify(body, headers)["data"] == {"标题": "断电"}
    try:
        Webhook(receiver.secret).verify(body.replace("断电", "正常"), headers)
    except WebhookVerificationError:
        pass
    else:
        raise AssertionError("a changed body must not verify")


def test_a_task_batch_is_one_insert_into_the_outbox(province, tomorrow, subscription):
    meeting = publish(province, make_meeting(province, tomorrow, province.venues))
    with CaptureQueriesContext(connection) as queries:
        _acknowledge_all(meeting)
    inserts = [
        q for q in queries if q["sql"].startswith('INSERT INTO "integrations_webhookdelivery"')
    ]
    assert len(inserts) == 1
    events = WebhookDelivery.objects.filter(event_type="task.state_changed")
    assert events.count() == SupportTask.objects.filter(meeting=meeting, kind="venue").count()
    data = json.loads(events.first().body)["data"]
    assert data["from_state"] in ("pending", "notified") and data["to_state"] == "acknowledged"


def test_a_receiver_down_for_five_minutes_gets_every_event_after_in_order_none_twice(
    province, tomorrow, subscription, receiver
):
    start = clock.now()
    with time_machine.travel(start, tick=False) as traveller:
        receiver.stop()
        meeting = publish(province, make_meeting(province, tomorrow, province.venues[:4]))
        _acknowledge_all(meeting)
        meeting_services.meeting_reschedule(
            meeting,
            by=province.user("province"),
            starts_at=meeting.starts_at + timedelta(hours=1),
            ends_at=meeting.ends_at + timedelta(hours=1),
        )
        fault = fault_services.fault_open(
            title="乡镇机房断电", source="manual", org_unit=province.townships[0]
        )
        fault_services.fault_restore(fault, by=None, note="已恢复供电")
        fault_services.fault_close(fault, by=None)
        meeting_services.meeting_cancel(meeting, by=province.user("province"), reason="改为线上")
        expected = list(WebhookDelivery.objects.order_by("id").values_list("event_id", "subject"))
        assert len(expected) >= 12
        # Five minutes down: every attempt is refused; nothing is delivered or given up.
        for _minute in range(5):
            webhook_deliveries_drain()
            traveller.shift(60)
        assert not WebhookDelivery.objects.filter(status=Status.DELIVERED).exists()
        assert WebhookDelivery.objects.filter(attempts__gte=2).exists()
        receiver.start()
        for _step in range(12):  # the longest wait at this point is ten minutes
            webhook_deliveries_drain()
            traveller.shift(120)
    assert receiver.rejected == []
    got = [e.id for e in receiver.events]
    assert len(got) == len(set(got)), "an event was delivered twice"
    assert sorted(got) == sorted(eid for eid, _s in expected)
    by_subject = defaultdict(list)
    for eid, subject in expected:
        by_subject[subject].append(eid)
    arrived = defaultdict(list)
    for e in receiver.events:
        arrived[next(s for eid, s in expected if eid == e.id)].append(e.id)
    assert arrived == by_subject
    fault_types = [
        e.type
        for e in receiver.events
        if e.data.get("id") == fault.pk and e.type.startswith("fault.")
    ]
    assert fault_types == ["fault.opened", "fault.restored", "fault.closed"]
    meeting_types = [e.type for e in receiver.events if e.type.startswith("meeting.")]
    assert meeting_types == ["meeting.published", "meeting.rescheduled", "meeting.cancelled"]
    assert set(WebhookDelivery.objects.values_list("status", flat=True)) == {Status.DELIVERED}
    subscription.refresh_from_db()
    assert subscription.is_active and subscription.failing_since is None


def test_a_later_event_waits_for_the_earlier_one_of_its_subject(province, subscription, receiver):
    fault = fault_services.fault_open(
        title="交换机掉线", source="manual", org_unit=province.townships[0]
    )
    receiver.respond_next(503, "busy")  # the first attempt of fault.opened fails
    fault_services.fault_restore(fault, by=None)
    webhook_deliveries_drain()
    rows = list(WebhookDelivery.objects.filter(subject=f"fault:{fault.pk}").order_by("id"))
    assert [r.status for r in rows] == [Status.PENDING, Status.PENDING]
    assert rows[0].last_status_code == 503 and rows[1].attempts == 0
    assert receiver.events == []
    with time_machine.travel(clock.now() + timedelta(seconds=10), tick=False):
        webhook_deliveries_drain()
    assert [e.type for e in receiver.events] == ["fault.opened", "fault.restored"]


def test_a_day_of_failures_turns_the_subscription_off_and_tells_the_administrators(
    province, subscription, receiver, admin_user
):
    receiver.outage(mode="error", status=500)
    start = clock.now()
    with time_machine.travel(start, tick=False) as traveller:
        fault_services.fault_open(title="光缆中断", source="manual", org_unit=province.townships[0])
        for _hour in range(26):
            webhook_deliveries_drain()
            traveller.shift(3600)
        subscription.refresh_from_db()
        assert not subscription.is_active
        assert subscription.disabled_at is not None and "24" in subscription.disabled_reason
        row = WebhookDelivery.objects.get(event_type="fault.opened")
        assert row.status == Status.FAILED and row.last_status_code == 500
        attempts_when_off = row.attempts
        alert = Notification.objects.get(subject=f"webhook:{subscription.pk}")
        assert alert.recipient == admin_user.staff_profile
        assert "Webhook" in alert.title
        # Off means off: new events are not queued for it, nothing more is tried.
        fault_services.fault_open(
            title="又一个故障", source="manual", org_unit=province.townships[1]
        )
        traveller.shift(3600)
        webhook_deliveries_drain()
        assert WebhookDelivery.objects.count() == 1
        assert WebhookDelivery.objects.get().attempts == attempts_when_off
        # Fixed and turned back on: the given-up event is replayed from the log and arrives.
        receiver.recover()
        webhook_subscription_update(subscription, by=admin_user, is_active=True)
        replay = webhook_delivery_replay(row, by=admin_user)
        webhook_deliveries_drain()
    replay.refresh_from_db()
    assert replay.status == Status.DELIVERED and replay.event_id == row.event_id
    assert [e.type for e in receiver.events] == ["fault.opened"]
    assert WebhookSubscription.objects.get().failing_since is None

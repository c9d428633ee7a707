"""GET /metrics: what Prometheus reads (computed from the rows) and who may read it."""

import math
from datetime import timedelta

import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.factories.orgs import StaffFactory
from tests.factories.venues import VenueFactory
from vcassure.core import clock
from vcassure.core.services import worker_heartbeat_record
from vcassure.meetings.models import Meeting, SupportTask
from vcassure.notifications.models import Delivery, Notification, PhoneCallTask
from vcassure.ops.selectors import quantile

pytestmark = pytest.mark.django_db


def samples(response) -> dict[tuple[str, tuple], float]:
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("text/plain; version=")
    text = response.content.decode()
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def notice(
    person,
    *,
    created_minutes_ago: int,
    due_in_minutes: int | None = 10,
    acked_after_minutes: int | None = None,
):
    now = clock.now()
    created = now - timedelta(minutes=created_minutes_ago)
    due = now + timedelta(minutes=due_in_minutes) if due_in_minutes is not None else None
    return Notification.objects.create(
        recipient=person,
        kind="published",
        topic="meeting:1",
        subject=f"task:{person.pk}",
        title="保障通知",
        body="请确认",
        created_at=created,
        ack_due_at=due,
        next_escalation_at=due,
        acknowledged_at=created + timedelta(minutes=acked_after_minutes)
        if acked_after_minutes is not None
        else None,
    )


@pytest.fixture
def platform(tree):
    """Two unanswered notices (one overdue), three acknowledged after 1, 2 and 10 minutes, deliveries
    in several states, one overdue venue task, one pending phone call, a worker heartbeat."""
    people = [StaffFactory(org_unit=tree.townships[i]) for i in range(6)]
    open_one = notice(people[0], created_minutes_ago=5, due_in_minutes=5)
    late = notice(people[1], created_minutes_ago=30, due_in_minutes=-20)
    for person, minutes in zip(people[2:5], (1, 2, 10), strict=True):
        notice(person, created_minutes_ago=60, acked_after_minutes=minutes)
    now = clock.now()
    Delivery.objects.create(
        notification=open_one, topic="meeting:1", channel="sms", status="sent", sent_at=now
    )
    Delivery.objects.create(
        notification=late,
        topic="meeting:1",
        channel="sms",
        status="queued",
        next_attempt_at=now - timedelta(seconds=30),
    )
    Delivery.objects.create(notification=late, topic="meeting:1", channel="email", status="failed")
    Delivery.objects.create(
        notification=late,
        topic="meeting:1",
        channel="email",
        status="sending",
        lease_until=now - timedelta(seconds=5),
    )
    PhoneCallTask.objects.create(notification=late, number="13800000000", script="请确认")
    venue = VenueFactory(org_unit=tree.townships[0])
    meeting = Meeting.objects.create(
        system=venue.system,
        title="防汛会商",
        state=Meeting.State.PUBLISHED,
        starts_at=now + timedelta(minutes=30),
        ends_at=now + timedelta(hours=2),
        org_unit=tree.province,
    )
    SupportTask.objects.create(
        meeting=meeting,
        kind="venue",
        role="venue",
        org_unit=tree.townships[0],
        venue=venue,
        state="notified",
        on_site_due_at=now - timedelta(minutes=30),
        ready_due_at=now + timedelta(minutes=5),
    )
    SupportTask.objects.create(
        meeting=meeting,
        kind="venue",
        role="venue",
        org_unit=tree.townships[1],
        venue=venue,
        state="on_site",
        on_site_due_at=now - timedelta(minutes=30),
        ready_due_at=now + timedelta(minutes=5),
    )
    worker_heartbeat_record()
    return tree


def test_metrics_report_the_rows(platform, client, django_assert_max_num_queries):
    with django_assert_max_num_queries(10):
        got = samples(client.get("/metrics"))
    assert got[("vcassure_deliveries", (("channel", "sms"), ("status", "sent")))] == 1
    assert got[("vcassure_deliveries", (("channel", "sms"), ("status", "queued")))] == 1
    assert got[("vcassure_deliveries", (("channel", "email"), ("status", "failed")))] == 1
    assert got[("vcassure_deliveries_due", ())] == 1
    assert 25 <= got[("vcassure_deliveries_oldest_due_seconds", ())] <= 120
    assert got[("vcassure_deliveries_lease_expired", ())] == 1
    assert got[("vcassure_notifications_unanswered", ())] == 2
    assert got[("vcassure_notifications_overdue", ())] == 1
    assert got[("vcassure_escalations_due", ())] == 1
    assert got[("vcassure_ack_latency_seconds_count", ())] == 3
    assert got[("vcassure_ack_latency_seconds_sum", ())] == pytest.approx(13 * 60)
    assert got[("vcassure_ack_latency_seconds", (("quantile", "0.5"),))] == pytest.approx(120)
    assert got[("vcassure_ack_latency_seconds", (("quantile", "0.95"),))] == pytest.approx(600)
    assert got[("vcassure_venue_tasks_overdue", ())] == 1  # the one still not on site
    assert got[("vcassure_phone_calls_pending", ())] == 1
    assert got[("vcassure_queue_up", ())] == 1 and got[("vcassure_queue_pending", ())] >= 0
    assert 0 <= got[("vcassure_worker_heartbeat_age_seconds", ())] < 60


def test_metrics_queries_do_not_grow_with_the_rows(platform, client, django_assert_max_num_queries):
    for person in [StaffFactory(org_unit=platform.townships[7]) for _ in range(20)]:
        notice(person, created_minutes_ago=90, acked_after_minutes=3)
    with django_assert_max_num_queries(10):
        assert client.get("/metrics").status_code == 200


def test_metrics_without_data_or_queue(db, client, monkeypatch):
    from huey.contrib.djhuey import HUEY

    def down():
        raise ConnectionError("queue down")

    monkeypatch.setattr(HUEY, "pending_count", down)
    got = samples(client.get("/metrics"))
    assert got[("vcassure_queue_up", ())] == 0 and ("vcassure_queue_pending", ()) not in got
    assert math.isnan(got[("vcassure_worker_heartbeat_age_seconds", ())])
    assert got[("vcassure_ack_latency_seconds_count", ())] == 0
    assert math.isnan(got[("vcassure_ack_latency_seconds", (("quantile", "0.5"),))])


def test_metrics_refused_to_other_addresses(db, client):
    response = client.get("/metrics", REMOTE_ADDR="10.20.30.40")
    assert response.status_code == 403 and b"vcassure_" not in response.content
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_metrics_through_the_proxy_need_the_token(db, client, settings):
    settings.METRICS_TOKEN = "prometheus-scrape-token"
    # The proxy connects from 127.0.0.1 but says whom it relays: the address no longer counts.
    assert client.get("/metrics", HTTP_X_FORWARDED_FOR="203.0.113.9").status_code == 403
    assert (
        client.get(
            "/metrics",
            HTTP_X_FORWARDED_FOR="203.0.113.9",
            HTTP_AUTHORIZATION="Bearer prometheus-scrape-token",
        ).status_code
        == 200
    )


def test_metrics_token_from_anywhere(db, client, settings):
    settings.METRICS_TOKEN = "prometheus-scrape-token"
    far = {"REMOTE_ADDR": "10.20.30.40"}
    assert (
        client.get(
            "/metrics", HTTP_AUTHORIZATION="Bearer prometheus-scrape-token", **far
        ).status_code
        == 200
    )
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer wrong", **far).status_code == 403
    assert (
        client.get("/metrics", HTTP_AUTHORIZATION="Basic cHJvbWV0aGV1cw==", **far).status_code
        == 403
    )


def test_no_token_configured_means_no_token_accepted(db, client, settings):
    settings.METRICS_TOKEN = ""
    assert (
        client.get("/metrics", HTTP_AUTHORIZATION="Bearer ", REMOTE_ADDR="10.20.30.40").status_code
        == 403
    )


def test_allowed_addresses_are_configurable(db, client, settings):
    settings.METRICS_ALLOWED_IPS = ["10.20.30.40"]
    assert client.get("/metrics", REMOTE_ADDR="10.20.30.40").status_code == 200
    assert client.get("/metrics").status_code == 403  # 127.0.0.1 is no longer listed


def test_quantile_nearest_rank():
    assert quantile([1.0, 2.0, 3.0, 4.0], 0.5) == 2.0
    assert quantile([1.0, 2.0, 3.0, 4.0], 0.99) == 4.0
    assert quantile([5.0], 0.95) == 5.0
    assert math.isnan(quantile([], 0.5))

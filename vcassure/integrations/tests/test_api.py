"""SPEC §6.2: /api/webhooks with its fields; bad URL or event type is a 422 that says which."""

import json

import pytest

from vcassure.accounts.models import Role
from vcassure.core import clock
from vcassure.core.models import AuditEvent
from vcassure.integrations.models import WebhookDelivery, WebhookSubscription
from vcassure.integrations.services.events import Event, webhook_events_record


def _post(client, path, body, **headers):
    return client.post(path, json.dumps(body), content_type="application/json", **headers)


def _patch(client, path, body):
    return client.patch(path, json.dumps(body), content_type="application/json")


@pytest.fixture
def admin_api(admin_user, api_client_for):
    return api_client_for(admin_user)


def test_create_list_patch_and_read_the_log(admin_api, province):
    r = _post(
        admin_api,
        "/api/webhooks",
        {"url": "http://127.0.0.1:8999/in", "events": ["fault.opened", "meeting.published"]},
    )
    assert r.status_code == 201, r.json()
    created = r.json()
    assert created["secret"].startswith("whsec_") and len(created["secret"]) > 30  # shown once
    assert created["events"] == ["fault.opened", "meeting.published"] and created["is_active"]
    listed = admin_api.get("/api/webhooks").json()
    assert listed["count"] == 1
    assert listed["items"][0]["secret"] == f"whsec_****{created['secret'][-4:]}"
    r = _patch(
        admin_api,
        f"/api/webhooks/{created['id']}",
        {"is_active": False, "events": ["fault.closed"]},
    )
    assert r.status_code == 200 and r.json()["events"] == ["fault.closed"]
    assert not r.json()["is_active"] and "****" in r.json()["secret"]
    webhook_events_record([Event("fault.closed", "fault:9", clock.now(), {"id": 9})])
    assert not WebhookDelivery.objects.exists()  # off: nothing queued for it
    _patch(admin_api, f"/api/webhooks/{created['id']}", {"is_active": True})
    webhook_events_record([Event("fault.closed", "fault:9", clock.now(), {"id": 9})])
    log = admin_api.get(f"/api/webhooks/{created['id']}/deliveries").json()
    assert log["count"] == 1
    row = log["items"][0]
    assert row["event_type"] == "fault.closed" and row["status"] == "pending"
    assert row["subject"] == "fault:9" and row["event_id"].startswith("msg_")
    assert AuditEvent.objects.filter(action="webhook.create").exists()
    assert created["secret"] not in json.dumps(list(AuditEvent.objects.values("changes")))


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"url": "http://evil.example.net/x", "events": ["fault.opened"]}, "url", "不在允许"),
        ({"url": "ftp://127.0.0.1/x", "events": ["fault.opened"]}, "url", "http 或 https"),
        ({"url": "http://127.0.0.1/x", "events": ["fault.exploded"]}, "events", "fault.exploded"),
        ({"url": "http://127.0.0.1/x", "events": []}, "events", "至少选择"),
        (
            {"url": "http://127.0.0.1/x", "events": ["fault.opened"], "secret": "abc"},
            "secret",
            "whsec_",
        ),
    ],
)
def test_bad_input_is_a_422_that_names_the_problem(admin_api, body, field, message):
    r = _post(admin_api, "/api/webhooks", body)
    assert r.status_code == 422
    errors = r.json()["errors"]
    assert any(e["field"] == field and message in e["message"] for e in errors), errors
    assert not WebhookSubscription.objects.exists()


def test_a_bad_patch_changes_nothing(admin_api, subscription):
    r = _patch(
        admin_api, f"/api/webhooks/{subscription.pk}", {"url": "http://10.0.0.8/", "events": ["x"]}
    )
    assert r.status_code == 422
    assert {e["field"] for e in r.json()["errors"]} == {"url", "events"}
    subscription.refresh_from_db()
    assert subscription.url.startswith("http://127.0.0.1")


def test_other_roles_may_not_see_or_change_webhooks(province, subscription, api_client_for):
    dispatcher = api_client_for(province.user("province", Role.DISPATCHER))
    assert dispatcher.get("/api/webhooks").status_code == 403
    r = _post(
        dispatcher, "/api/webhooks", {"url": "http://127.0.0.1/x", "events": ["fault.opened"]}
    )
    assert r.status_code == 403
    assert (
        _patch(dispatcher, f"/api/webhooks/{subscription.pk}", {"is_active": False}).status_code
        == 404
    )
    assert dispatcher.get(f"/api/webhooks/{subscription.pk}/deliveries").status_code == 404
    subscription.refresh_from_db()
    assert subscription.is_active


def test_replay_through_the_api(admin_api, subscription):
    webhook_events_record([Event("fault.opened", "fault:3", clock.now(), {"id": 3})])
    row = WebhookDelivery.objects.get()
    base = f"/api/webhooks/{subscription.pk}/deliveries/{row.pk}/replay"
    assert admin_api.post(base).status_code == 409  # still queued
    WebhookDelivery.objects.filter(pk=row.pk).update(status=WebhookDelivery.Status.DELIVERED)
    r = admin_api.post(base)
    assert r.status_code == 202 and r.json()["replay_of"] == row.pk
    assert r.json()["event_id"] == row.event_id and r.json()["status"] == "pending"

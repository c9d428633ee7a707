"""The webhooks page: administrators add one, see its log with the response codes, replay."""

import pytest

from vcassure.accounts.models import Role
from vcassure.core import clock
from vcassure.integrations.models import WebhookDelivery, WebhookSubscription
from vcassure.integrations.services.events import Event, webhook_events_record


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


def test_add_a_webhook_from_the_page(admin_client):
    r = admin_client.post(
        "/integrations/webhooks/",
        {
            "url": "http://127.0.0.1:8999/in",
            "events": ["fault.opened", "fault.closed"],
            "is_active": "on",
        },
    )
    subscription = WebhookSubscription.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/integrations/webhooks/{subscription.pk}/"
    page = admin_client.get(r["Location"]).content.decode()
    assert subscription.secret in page  # shown once, in the message after adding
    again = admin_client.get(r["Location"]).content.decode()
    assert subscription.secret not in again and f"whsec_****{subscription.secret[-4:]}" in again


def test_a_refused_address_is_shown_beside_the_field(admin_client):
    r = admin_client.post(
        "/integrations/webhooks/",
        {"url": "http://169.254.169.254/latest", "events": ["fault.opened"]},
    )
    assert r.status_code == 400
    assert "该地址不在允许的外发地址名单中。" in r.content.decode()
    assert not WebhookSubscription.objects.exists()


def test_the_log_shows_response_codes_and_replays(admin_client, subscription, province):
    webhook_events_record(
        [Event("meeting.cancelled", "meeting:999", clock.now(), {"id": 999}) for _ in range(2)]
    )
    first, second = WebhookDelivery.objects.order_by("id")
    WebhookDelivery.objects.filter(pk=first.pk).update(
        status="delivered", attempts=1, last_status_code=200, response_snippet='{"ok":true}'
    )
    WebhookDelivery.objects.filter(pk=second.pk).update(
        status="failed", attempts=9, last_status_code=502, last_error="HTTP 502"
    )
    page = admin_client.get(f"/integrations/webhooks/{subscription.pk}/").content.decode()
    assert "502" in page and "200" in page and "meeting.cancelled" in page
    assert page.count("重放</button>") == 2
    filtered = admin_client.get(f"/integrations/webhooks/{subscription.pk}/?status=failed")
    assert f'data-delivery="{second.pk}"' in filtered.content.decode()
    assert f'data-delivery="{first.pk}"' not in filtered.content.decode()
    r = admin_client.post(
        f"/integrations/webhooks/{subscription.pk}/deliveries/{second.pk}/replay/"
    )
    assert r.status_code == 302
    replay = WebhookDelivery.objects.get(replay_of=second)
    assert replay.status == "pending" and replay.event_id == second.event_id


def test_edit_keeps_the_secret_when_left_empty(admin_client, subscription):
    secret = subscription.secret
    r = admin_client.post(
        f"/integrations/webhooks/{subscription.pk}/",
        {"url": subscription.url, "events": ["fault.closed"], "description": "改名"},
    )
    assert r.status_code == 302
    subscription.refresh_from_db()
    assert subscription.secret == secret and subscription.events == ["fault.closed"]
    assert subscription.description == "改名" and not subscription.is_active


def test_only_administrators_reach_the_pages(client, province, subscription):
    client.force_login(province.user("province", Role.DISPATCHER))
    assert client.get("/integrations/webhooks/").status_code == 403
    assert client.get(f"/integrations/webhooks/{subscription.pk}/").status_code == 404
    assert "integrations/webhooks" not in client.get("/").content.decode()


def test_the_list_page_costs_the_same_whatever_the_number(
    admin_client, admin_user, django_assert_max_num_queries
):
    from vcassure.integrations.services import webhook_subscription_create

    for i in range(5):
        webhook_subscription_create(
            by=admin_user, url=f"http://127.0.0.1/{i}", events=["fault.opened"]
        )
    with django_assert_max_num_queries(8):
        assert admin_client.get("/integrations/webhooks/").status_code == 200


def test_a_queued_event_behind_its_subjects_earlier_one_says_so(admin_client, subscription):
    webhook_events_record(
        [Event(t, "fault:5", clock.now(), {"id": 5}) for t in ("fault.opened", "fault.restored")]
    )
    first, second = WebhookDelivery.objects.order_by("id")
    page = admin_client.get(f"/integrations/webhooks/{subscription.pk}/").content.decode()
    assert page.count("等待同一对象的前一事件送达") == 1
    row = page.split(f'data-delivery="{second.pk}"')[1].split("</tr>")[0]
    assert "等待同一对象的前一事件送达" in row

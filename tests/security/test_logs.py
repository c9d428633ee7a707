"""Logs never hold a phone number, a token or a password. Representative flows run with every log
record captured (the root logger at DEBUG, the per-logger levels of settings.LOGGING as configured):
failed and successful logins, a meeting created and published through the API with a bearer token,
its messages sent to fake DingTalk robots (signed, one refusing) and a fake SMS gateway (with basic
auth, failing once), acknowledgement by link (used twice, then expired), a share link with a bad
unit, and a few refused requests. Then no record, message, arguments, extras or traceback, contains
any of the secrets."""

import json
import logging
import re
import traceback
from datetime import timedelta

import pytest
import time_machine
from django.test import Client

from tests.factories.notifications import ack_token
from tests.factories.orgs import PASSWORD
from tests.fakes import FakeDingTalk, FakeSmsGateway
from vcassure.accounts.services import api_token_create
from vcassure.core import clock
from vcassure.meetings import services
from vcassure.meetings.models import Meeting
from vcassure.notifications import outbox
from vcassure.notifications.channels import base
from vcassure.notifications.models import Delivery, ImGroup, Notification
from vcassure.orgs.models import Staff

WRONG_PASSWORD = "Wr0ng-pa55word-ZZ"
GATEWAY_AUTH = ("vca-gw", "gw-Passw0rd-Q7")
NOWHERE = "http://127.0.0.1:9"


@pytest.fixture
def fakes(settings):
    settings.NOTIFY_HTTP_TIMEOUT_SECONDS = 2.0
    settings.DINGTALK_API_URL = settings.WECOM_API_URL = NOWHERE
    settings.ALIYUN_SMS_ENDPOINT = settings.ALIYUN_VOICE_ENDPOINT = NOWHERE
    settings.OA_WEBHOOK_URL = settings.EMAIL_URL = ""
    settings.DINGTALK_APP_KEY = settings.WECOM_CORP_ID = settings.ALIYUN_ACCESS_KEY_ID = ""
    with (
        FakeDingTalk(hang_seconds=2) as dingtalk,
        FakeSmsGateway(hang_seconds=2, basic_auth=GATEWAY_AUTH) as sms,
    ):
        settings.SMS_GATEWAY_URL = sms.send_url
        base.reset_channels()
        yield dingtalk, sms
    base.reset_channels()


# A record's own bookkeeping (times, thread ids: digits that can look like a phone number).
STANDARD = set(vars(logging.LogRecord("x", logging.INFO, "x", 1, "x", None, None))) | {
    "message",
    "asctime",
}


def record_text(record: logging.LogRecord) -> str:
    """Everything a handler or formatter could write out of one record: the message, its arguments,
    every extra attached to it (a request, say), the traceback."""
    extras = {k: v for k, v in vars(record).items() if k not in STANDARD}
    parts = [record.getMessage(), repr(record.args), repr(extras), record.pathname, record.name]
    if record.exc_info:
        parts.append("".join(traceback.format_exception(*record.exc_info)))
    if record.exc_text:
        parts.append(record.exc_text)
    if record.stack_info:
        parts.append(record.stack_info)
    return "\n".join(parts)


def test_no_phone_number_token_or_password_reaches_the_logs(
    province, tomorrow, client, fakes, caplog
):
    dingtalk, sms = fakes
    caplog.set_level(logging.DEBUG)  # the root logger; loggers muted in settings.LOGGING stay muted
    tree = province
    # The province's two IM groups become signed robots on the fake DingTalk; the first refuses once.
    secrets_ = []
    for group in ImGroup.objects.all():
        secret = dingtalk.new_secret()
        robot = dingtalk.add_robot(secret=secret)
        group.platform, group.webhook_url, group.secret = "dingtalk", robot.webhook_url, secret
        group.save()
        secrets_ += [secret, robot.token]
    dingtalk.respond_next(
        200, {"errcode": 310000, "errmsg": "sign not match, more: [see https://ding-doc]"}
    )
    sms.respond_next(500, {"code": "BUSY", "message": "gateway busy"})

    # Logins: a wrong password, then the right one.
    assert (
        client.post(
            "/accounts/login/", {"username": "province-dispatcher", "password": WRONG_PASSWORD}
        ).status_code
        == 200
    )
    assert (
        client.post(
            "/accounts/login/", {"username": "nobody", "password": WRONG_PASSWORD}
        ).status_code
        == 200
    )
    assert (
        client.post(
            "/accounts/login/", {"username": "province-dispatcher", "password": PASSWORD}
        ).status_code
        == 302
    )

    # The API with a bearer token: create (idempotent) and publish; a wrong token is refused.
    _token, key = api_token_create(user=tree.user("province"))
    auth = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
    api = Client()  # no session: the bearer token alone
    start, end = tomorrow
    body = {
        "system": "water",
        "title": "防汛会商",
        "starts_at": start.isoformat(),
        "ends_at": end.isoformat(),
        "importance": "important",
        "notice_ref": "水利〔2026〕40号",
        "main_venue": tree.main_venue.pk,
        "venues": [v.pk for v in tree.venues],
    }
    created = api.post(
        "/api/meetings",
        data=json.dumps(body),
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="log-test-1",
        **auth,
    )
    assert created.status_code == 201, created.content
    meeting_id = created.json()["id"]
    published = api.post(
        f"/api/meetings/{meeting_id}/publish",
        data=json.dumps({"confirm_shortfalls": True}),
        content_type="application/json",
        **auth,
    )
    assert published.status_code == 200, published.content
    assert (
        api.get("/api/staff?limit=100", **auth).status_code == 200
    )  # numbers in clear for a dispatcher
    assert api.get(f"/api/meetings/{meeting_id}/tasks", **auth).status_code == 200
    assert api.get("/api/meetings", HTTP_AUTHORIZATION=f"Bearer {key[:-3]}xyz").status_code == 401
    assert api.post(
        "/api/meetings", data="{", content_type="application/json", **auth
    ).status_code in (400, 422)

    # The messages go out: a refused robot message and a busy gateway are retried.
    with time_machine.travel(clock.now(), tick=True) as traveller:
        outbox.outbox_drain()
        traveller.shift(timedelta(minutes=5))
        outbox.outbox_drain()
    assert dingtalk.robot_messages() and sms.messages
    assert Delivery.objects.filter(status="sent").exists()

    # Acknowledgement by the link each person received: the page, the button, again, the API, expired.
    links = [d.payload["link_url"] for d in Delivery.objects.filter(notification__isnull=False)]
    ack_tokens = sorted({link.rsplit("/ack/", 1)[1] for link in links if link})
    assert ack_tokens
    first = ack_tokens[0]
    assert client.get(f"/ack/{first}").status_code == 200
    assert client.post(f"/ack/{first}").status_code == 200
    assert client.post(f"/ack/{first}").status_code == 200  # used: shows what was acknowledged
    assert (
        client.post(f"/api/ack/{ack_tokens[1]}", content_type="application/json").status_code == 200
    )
    assert client.get(f"/api/ack/{ack_tokens[1]}").status_code == 200
    with time_machine.travel(timedelta(hours=200)):
        assert client.get(f"/ack/{ack_tokens[2]}").status_code == 410
        assert (
            client.post(f"/api/ack/{ack_tokens[2]}", content_type="application/json").status_code
            == 410
        )
    notice = Notification.objects.filter(acknowledged_at__isnull=True).first()
    made = ack_token(notice)
    assert client.get(f"/ack/{made[:-2]}zz").status_code == 404

    # A share link for the customer, asked for a unit it does not cover.
    client.force_login(tree.user("province"))
    link = services.share_link_create(
        Meeting.objects.get(pk=meeting_id),
        by=tree.user("province"),
        expires_at=clock.now() + timedelta(hours=2),
    )
    assert client.get(f"/meetings/share/{link.token}/", {"unit": 999999}).status_code == 404
    assert client.get(f"/meetings/share/{link.token}/").status_code == 200
    # A phone number revealed on purpose (the page shows it; the audit log records who saw it).
    staff = Staff.objects.filter(org_unit=tree.townships[0]).first()
    assert client.post(f"/org/staff/{staff.pk}/reveal-phone/").status_code == 200

    mobiles = list(Staff.objects.exclude(mobile="").values_list("mobile", flat=True))
    assert len(mobiles) > 20
    forbidden = {
        **{f"mobile {m}": m for m in mobiles},
        "API token": key,
        "API token body": key[4:],
        **{f"ack token {t[:8]}…": t for t in [*ack_tokens, made]},
        "share token": link.token,
        "password": PASSWORD,
        "wrong password": WRONG_PASSWORD,
        "gateway password": GATEWAY_AUTH[1],
        **{f"robot secret/token {s[:6]}…": s for s in secrets_},
    }
    records = caplog.records
    assert records, "nothing was logged: the capture is not working"
    leaks = [
        f"{name} in {r.name} {r.levelname}: {r.getMessage()[:160]}"
        for r in records
        for name, secret in forbidden.items()
        if secret in record_text(r)
    ]
    assert leaks == []
    # Masked or partial numbers are fine; eleven digits in a row are not.
    full_numbers = [
        r.getMessage() for r in records if re.search(r"(?<!\d)1[3-9]\d{9}(?!\d)", record_text(r))
    ]
    assert full_numbers == []

"""Outbound URLs (group robots now, webhooks later) reach only the hosts an administrator put on
OUTBOUND_URL_ALLOWLIST: refused with a field error when typed on a page or sent to the API, refused
again at send time (nothing leaves the machine), redirects are never followed, and a provider's
answer is kept as a short code and status, never its raw body."""

import json

import pytest

from tests.fakes import FakeHttpServer, Reply
from vcassure.accounts.models import Role
from vcassure.core.errors import InvalidInputError
from vcassure.notifications.channels import base
from vcassure.notifications.channels.base import Message, Target
from vcassure.notifications.channels.dingtalk import DingTalkRobotChannel
from vcassure.notifications.channels.wecom import WeComRobotChannel
from vcassure.notifications.models import Delivery, ImGroup
from vcassure.notifications.outbox import outbox_drain
from vcassure.notifications.services.groups import im_group_test_queue

REFUSED = "该地址不在允许的外发地址名单中。"
PROVIDERS_ONLY = ["oapi.dingtalk.com", "api.dingtalk.com", "qyapi.weixin.qq.com"]
INTERNAL = [
    "http://10.0.0.5/robot/send?access_token=x",
    "http://127.0.0.1:8000/robot/send?access_token=x",
    "http://[::1]:8000/robot/send?access_token=x",
    "http://169.254.169.254/robot/send?access_token=x",
    "http://oapi.dingtalk.com@10.0.0.5/robot/send?access_token=x",
    "http://oapi.dingtalk.com.evil.example/robot/send?access_token=x",
    "ftp://oapi.dingtalk.com/robot/send?access_token=x",
]
MESSAGE = Message(title="测试", text="测试消息", markdown="### 测试\n\n测试消息")


@pytest.fixture
def providers_only(settings):
    """The production default: no local or private host is allowed."""
    settings.OUTBOUND_URL_ALLOWLIST = list(PROVIDERS_ONLY)
    base.reset_channels()
    yield settings
    base.reset_channels()


class Listener(FakeHttpServer):
    """Answers every request with `reply` and records it: proof of what reached it."""

    name = "listener"

    def __init__(self, reply: Reply | None = None) -> None:
        super().__init__()
        self.reply = reply or Reply(200, {"errcode": 0, "errmsg": "ok"})

    def handle(self, request):
        return self.reply


@pytest.mark.parametrize("url", INTERNAL)
def test_the_group_form_refuses_a_url_off_the_allowlist(tree, client, providers_only, url):
    user = tree.user("county0", Role.DISPATCHER)
    client.force_login(user)
    response = client.post(
        "/notifications/groups/new/",
        {
            "name": "县群",
            "platform": "dingtalk",
            "webhook_url": url,
            "org_unit": tree.counties[0].pk,
            "purpose": "support",
            "is_active": "on",
        },
    )
    assert response.status_code == 400
    page = response.content.decode()
    field = page[page.index('id="field-webhook_url"') : page.index('id="field-secret"')]
    assert '<div class="field has-error" id="field-webhook_url">' in page
    assert REFUSED in field or "外发地址只能使用 http 或 https。" in field
    assert not ImGroup.objects.exists()


@pytest.mark.parametrize("url", INTERNAL)
def test_the_api_refuses_a_url_off_the_allowlist(tree, api_client_for, providers_only, url):
    api = api_client_for(tree.user("county0", Role.DISPATCHER))
    body = {
        "platform": "dingtalk",
        "name": "县群",
        "webhook_url": url,
        "org_unit": tree.counties[0].pk,
    }
    response = api.post("/api/im-groups", data=json.dumps(body), content_type="application/json")
    assert response.status_code == 422, response.content
    errors = response.json()["errors"]
    assert any(
        e["field"] == "webhook_url"
        and e["message"] in (REFUSED, "外发地址只能使用 http 或 https。")
        for e in errors
    ), errors
    assert not ImGroup.objects.exists()


def test_the_api_refuses_a_patch_to_an_internal_url(tree, api_client_for, providers_only):
    group = ImGroup.objects.create(
        platform="dingtalk",
        name="县群",
        webhook_url="https://oapi.dingtalk.com/robot/send?access_token=x",
        org_unit=tree.counties[0],
    )
    api = api_client_for(tree.user("county0", Role.DISPATCHER))
    response = api.patch(
        f"/api/im-groups/{group.pk}",
        data=json.dumps({"webhook_url": "http://127.0.0.1:8000/robot/send?access_token=x"}),
        content_type="application/json",
    )
    assert response.status_code == 422
    assert response.json()["errors"][0] == {"field": "webhook_url", "message": REFUSED}
    group.refresh_from_db()
    assert group.webhook_url.startswith("https://oapi.dingtalk.com/")


def test_the_provider_hosts_are_allowed_by_default(tree, api_client_for, providers_only):
    api = api_client_for(tree.user("county0", Role.DISPATCHER))
    for platform, url in (
        ("dingtalk", "https://oapi.dingtalk.com/robot/send?access_token=abc"),
        ("wecom", "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k"),
    ):
        body = {"platform": platform, "name": platform, "webhook_url": url}
        body["org_unit"] = tree.counties[0].pk
        response = api.post(
            "/api/im-groups", data=json.dumps(body), content_type="application/json"
        )
        assert response.status_code == 201, response.content


def test_check_outbound_url_is_the_one_rule(settings):
    from vcassure.core.outbound import check_outbound_url

    settings.OUTBOUND_URL_ALLOWLIST = ["oapi.dingtalk.com", "gateway.intranet"]
    check_outbound_url("https://oapi.dingtalk.com/robot/send?access_token=x")
    check_outbound_url("https://OAPI.DingTalk.com./robot/send?access_token=x")
    check_outbound_url("http://gateway.intranet:8080/sms")  # an administrator's own host
    for url in ("http://10.0.0.5/", "file:///etc/passwd", "javascript:alert(1)", "", "http:///x"):
        with pytest.raises(InvalidInputError) as refused:
            check_outbound_url(url)
        assert refused.value.errors[0]["field"] == "webhook_url"


def test_a_name_matched_by_a_wildcard_must_resolve_to_public_addresses(settings, monkeypatch):
    from vcassure.core import outbound

    settings.OUTBOUND_URL_ALLOWLIST = ["*.robots.example", "exact.robots.example"]
    answers = {
        "public.robots.example": ["140.205.60.46"],
        "rebound.robots.example": ["140.205.60.46", "10.0.0.5"],
        "local.robots.example": ["127.0.0.1"],
        "exact.robots.example": ["192.168.1.20"],  # named exactly: the administrator's choice
    }
    monkeypatch.setattr(outbound, "resolve_addresses", lambda host, port: answers[host])
    outbound.check_outbound_url("https://public.robots.example/x", resolve=True)
    outbound.check_outbound_url("https://exact.robots.example/x", resolve=True)
    for host in ("rebound.robots.example", "local.robots.example"):
        with pytest.raises(InvalidInputError):
            outbound.check_outbound_url(f"https://{host}/x", resolve=True)
    # Without resolving (at the edge), a wildcard match is enough.
    outbound.check_outbound_url("https://local.robots.example/x")


@pytest.mark.parametrize("channel", [DingTalkRobotChannel(), WeComRobotChannel()])
def test_at_send_time_a_url_off_the_allowlist_sends_nothing(providers_only, channel):
    with Listener() as listener:
        url = f"{listener.url}/robot/send?access_token=x&key=k"
        result = channel.send(MESSAGE, Target(webhook_url=url))
        assert listener.received == []
    assert not result.ok and not result.retryable and result.permanent_target_failure
    assert "OUTBOUND_URL_ALLOWLIST" in result.error and "access_token" not in result.error


def test_a_stored_group_pointing_inside_is_failed_and_nothing_arrives(tree, providers_only):
    with Listener() as listener:
        group = ImGroup.objects.create(  # written before the rule existed: not validated
            platform="dingtalk",
            name="县群",
            webhook_url=f"{listener.url}/robot/send?access_token=x",
            org_unit=tree.counties[0],
        )
        im_group_test_queue(group, by=tree.user("county0", Role.DISPATCHER))
        outbox_drain()
        assert listener.received == []
    delivery = Delivery.objects.get(group=group)
    group.refresh_from_db()
    assert delivery.status == Delivery.Status.FAILED and delivery.attempts == 1
    assert "OUTBOUND_URL_ALLOWLIST" in group.last_error and group.needs_attention


def test_a_redirect_is_not_followed_and_its_body_not_kept():
    with (
        Listener() as inside,
        Listener(
            Reply(
                302,
                "<html>moved: internal-secret-7f3a</html>",
                headers={"Location": "http://127.0.0.1:1/"},
            )
        ) as allowed,
    ):
        allowed.reply.headers["Location"] = f"{inside.url}/admin/"
        result = DingTalkRobotChannel().send(
            MESSAGE, Target(webhook_url=f"{allowed.url}/robot/send?access_token=x")
        )
        assert len(allowed.received) == 1 and inside.received == []
    assert not result.ok and not result.retryable and result.http_status == 302
    assert "HTTP 302" in result.error and "internal-secret" not in result.error


@pytest.mark.parametrize(
    "reply",
    [
        Reply(502, "<html><title>Bad Gateway</title><!-- db password hunter2 --></html>"),
        Reply(200, "<html><body>Welcome to the admin console: hunter2</body></html>"),
        Reply(404, {"detail": "hunter2"}),
    ],
)
def test_an_error_body_is_never_echoed_into_last_error(tree, reply):
    with Listener(reply) as listener:
        group = ImGroup.objects.create(
            platform="wecom",
            name="县群",
            webhook_url=f"{listener.url}/cgi-bin/webhook/send?key=k",
            org_unit=tree.counties[0],
        )
        im_group_test_queue(group, by=tree.user("county0", Role.DISPATCHER))
        outbox_drain()
        assert len(listener.received) == 1
    group.refresh_from_db()
    delivery = Delivery.objects.get(group=group)
    for stored in (group.last_error, delivery.last_error, delivery.attempt_log.get().error):
        assert f"HTTP {reply.status}" in stored, stored
        assert "hunter2" not in stored and "<" not in stored, stored


def test_a_provider_error_keeps_its_code_and_a_short_message(tree):
    errmsg = "token is not exist <script>alert(1)</script> " + "x" * 300
    with Listener(Reply(200, {"errcode": 310000, "errmsg": errmsg, "data": "hunter2"})) as fake:
        result = DingTalkRobotChannel().send(
            MESSAGE, Target(webhook_url=f"{fake.url}/robot/send?access_token=x")
        )
    assert not result.ok and "errcode 310000" in result.error
    assert "hunter2" not in result.error and "x" * 101 not in result.error
    assert len(result.error) < 200


def test_demo_mode_adds_the_local_fakes_to_the_allowlist(providers_only):
    from vcassure.core.outbound import outbound_url_problem
    from vcassure.notifications.demo import allow_local_fakes

    assert outbound_url_problem("http://127.0.0.1:8123/robot/send") is not None
    allow_local_fakes()
    assert outbound_url_problem("http://127.0.0.1:8123/robot/send") is None
    assert outbound_url_problem("http://localhost:8123/robot/send") is None
    assert outbound_url_problem("http://10.0.0.5/robot/send") is not None

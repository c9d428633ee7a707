"""The WeCom adapters (group robot, app message) against a local fake that speaks WeCom's protocol:
message shapes, the token cache, rate limits, outages. Nothing here reaches any address but
127.0.0.1: `channels_offline` (conftest.py) points every endpoint at a closed local port before a
test configures the one it needs."""

import pytest

from tests.fakes import FakeWeCom
from vcassure.notifications.channels import base
from vcassure.notifications.channels.base import Recipient, Target
from vcassure.notifications.tests.channels_helpers import (
    ACK,
    NOBODY,
    ZHANG,
    channel,
    digest,
    personal,
)

pytestmark = pytest.mark.usefixtures("channels_offline")


@pytest.fixture
def wecom(settings, clock):
    with FakeWeCom(
        clock=clock,
        corp_id="ww-corp",
        corp_secret="wx-secret",
        agent_id=1000002,
        users=("wx-zhang",),
    ) as fake:
        settings.WECOM_API_URL = fake.url
        settings.WECOM_CORP_ID, settings.WECOM_CORP_SECRET, settings.WECOM_AGENT_ID = (
            "ww-corp",
            "wx-secret",
            "1000002",
        )
        base.reset_channels()
        yield fake
        assert fake.errors == []


# WeCom group robot


def test_wecom_robot_sends_text_with_mentioned_mobiles(wecom):
    robot = wecom.add_robot()
    result = channel("wecom_robot").send(
        digest(link_url=ACK), Target(webhook_url=robot.webhook_url)
    )
    assert result.ok, result.error
    [body] = robot.messages
    assert body["msgtype"] == "text"
    assert body["text"]["mentioned_mobile_list"] == ["13800000001", "13800000002"]
    assert body["text"]["content"].startswith("3 个分会场") and ACK in body["text"]["content"]


def test_wecom_robot_sends_markdown_without_mobile_mentions(wecom):
    robot = wecom.add_robot()
    message = digest(mention_mobiles=(), mention_user_ids=("wx-zhang",))
    assert channel("wecom_robot").send(message, Target(webhook_url=robot.webhook_url)).ok
    [body] = robot.messages
    assert body["msgtype"] == "markdown"
    assert (
        body["markdown"]["content"].startswith("### 水利视频会商")
        and "<@wx-zhang>" in body["markdown"]["content"]
    )


def test_wecom_robot_rate_limit_45009_is_retryable(wecom, clock):
    robot = wecom.add_robot()
    target = Target(webhook_url=robot.webhook_url)
    send = channel("wecom_robot").send
    assert all(send(digest(), target).ok for _ in range(20))
    result = send(digest(), target)
    assert not result.ok and result.retryable and result.retry_after_seconds == 60
    assert "45009" in result.error
    clock.advance(61)
    assert send(digest(), target).ok


def test_wecom_robot_invalid_key_93000_is_permanent(wecom):
    result = channel("wecom_robot").send(digest(), Target(webhook_url=wecom.robot_url("bad-key")))
    assert not result.ok and not result.retryable and result.permanent_target_failure
    assert "93000" in result.error


def test_wecom_robot_outage_is_retryable(wecom):
    robot = wecom.add_robot()
    wecom.outage(mode="error", status=502)
    result = channel("wecom_robot").send(digest(), Target(webhook_url=robot.webhook_url))
    assert not result.ok and result.retryable and result.http_status == 502


# WeCom app message


def test_wecom_app_message_sends_textcard_and_caches_the_token(wecom):
    app = channel("wecom_app_message")
    first = app.send(personal(), Target(recipient=ZHANG))
    second = app.send(personal(link_url=""), Target(recipient=ZHANG))
    assert first.ok and second.ok, (first.error, second.error)
    assert first.provider_ref
    assert len(wecom.token_requests()) == 1
    card, text = wecom.app_messages
    assert card["touser"] == "wx-zhang" and card["agentid"] == 1000002
    assert card["msgtype"] == "textcard"
    assert card["textcard"]["url"] == ACK and card["textcard"]["title"] == "请确认保障任务"
    assert card["textcard"]["btntxt"]
    assert text["msgtype"] == "text" and "水利视频会商" in text["text"]["content"]


def test_wecom_app_message_refreshes_an_expired_token(wecom, clock):
    app = channel("wecom_app_message")
    assert app.send(personal(), Target(recipient=ZHANG)).ok
    wecom.expire_tokens()
    assert app.send(personal(), Target(recipient=ZHANG)).ok
    assert len(wecom.token_requests()) == 2


def test_wecom_app_message_unknown_user_is_not_retryable(wecom):
    stranger = Recipient(name="王五", wecom_user_id="wx-stranger")
    result = channel("wecom_app_message").send(personal(), Target(recipient=stranger))
    assert not result.ok and not result.retryable and "81013" in result.error


def test_wecom_app_message_not_configured_and_missing_id(wecom, settings):
    result = channel("wecom_app_message").send(personal(), Target(recipient=NOBODY))
    assert not result.ok and not result.retryable and "not configured" in result.error
    settings.WECOM_CORP_ID = ""
    base.reset_channels()
    result = channel("wecom_app_message").send(personal(), Target(recipient=ZHANG))
    assert not result.ok and not result.retryable and "not configured" in result.error
    assert wecom.received == []

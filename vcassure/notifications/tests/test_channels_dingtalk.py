"""The DingTalk adapters (group robot, work notice) against a local fake that speaks DingTalk's
protocol: signing, message shapes, the token cache, rate limits, outages. Nothing here reaches any
address but 127.0.0.1: `channels_offline` (conftest.py) points every endpoint at a closed local port
before a test configures the one it needs."""

from urllib.parse import quote_plus

import pytest

from tests.fakes import FakeDingTalk
from tests.fakes.dingtalk import expected_sign
from vcassure.notifications.channels import base
from vcassure.notifications.channels.base import Target
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
def dingtalk(settings, clock):
    with FakeDingTalk(clock=clock) as fake:
        fake.add_app("ding-app-key", "ding-app-secret", 4242)
        settings.DINGTALK_API_URL = fake.url
        settings.DINGTALK_APP_KEY, settings.DINGTALK_APP_SECRET = "ding-app-key", "ding-app-secret"
        settings.DINGTALK_AGENT_ID = "4242"
        base.reset_channels()
        yield fake
        assert fake.errors == []


# DingTalk group robot


def test_dingtalk_robot_sends_signed_markdown_with_mentions(dingtalk):
    robot = dingtalk.add_robot(secret=FakeDingTalk.new_secret())
    result = channel("dingtalk_robot").send(
        digest(), Target(webhook_url=robot.webhook_url, secret=robot.secret)
    )
    assert result.ok, result.error
    [request] = dingtalk.received
    assert request.query["sign"] == expected_sign(robot.secret, request.query["timestamp"])
    assert f"sign={quote_plus(request.query['sign'])}" in request.raw_query  # URL-encoded
    [body] = robot.messages
    assert body["msgtype"] == "markdown"
    assert body["markdown"]["title"] == "水利视频会商 09:00 保障任务"
    assert "@13800000001" in body["markdown"]["text"] and "@13800000002" in body["markdown"]["text"]
    assert body["at"] == {
        "atMobiles": ["13800000001", "13800000002"],
        "atUserIds": [],
        "isAtAll": False,
    }


def test_dingtalk_robot_sends_action_card_when_there_is_a_link(dingtalk):
    robot = dingtalk.add_robot()  # no "加签": no signature needed
    message = digest(link_url=ACK, mention_mobiles=(), mention_user_ids=("dt-zhang",))
    result = channel("dingtalk_robot").send(message, Target(webhook_url=robot.webhook_url))
    assert result.ok, result.error
    [body] = robot.messages
    assert body["msgtype"] == "actionCard"
    assert body["actionCard"]["singleURL"] == ACK and body["actionCard"]["singleTitle"]
    assert "@dt-zhang" in body["actionCard"]["text"]
    assert body["at"]["atUserIds"] == ["dt-zhang"]
    assert "timestamp" not in dingtalk.received[0].query


def test_dingtalk_robot_wrong_secret_is_a_permanent_target_failure(dingtalk):
    robot = dingtalk.add_robot(secret=FakeDingTalk.new_secret())
    result = channel("dingtalk_robot").send(
        digest(), Target(webhook_url=robot.webhook_url, secret="SECwrong")
    )
    assert not result.ok and not result.retryable
    assert result.permanent_target_failure
    assert "310000" in result.error
    assert robot.messages == []


def test_dingtalk_robot_timestamp_older_than_an_hour_is_refused(dingtalk, clock):
    robot = dingtalk.add_robot(secret=FakeDingTalk.new_secret())
    clock.advance(3601)  # DingTalk's clock is an hour ahead of ours
    result = channel("dingtalk_robot").send(
        digest(), Target(webhook_url=robot.webhook_url, secret=robot.secret)
    )
    assert not result.ok and result.permanent_target_failure and "invalid timestamp" in result.error


def test_dingtalk_robot_unknown_token_is_a_permanent_target_failure(dingtalk):
    result = channel("dingtalk_robot").send(
        digest(), Target(webhook_url=dingtalk.robot_url("no-such-token"))
    )
    assert not result.ok and not result.retryable and result.permanent_target_failure
    assert "300001" in result.error


def test_dingtalk_robot_21st_message_in_a_minute_is_retryable_after_the_block(dingtalk, clock):
    robot = dingtalk.add_robot(secret=FakeDingTalk.new_secret())
    target = Target(webhook_url=robot.webhook_url, secret=robot.secret)
    send = channel("dingtalk_robot").send
    assert all(send(digest(title=f"第 {i} 条"), target).ok for i in range(20))
    result = send(digest(title="第 21 条"), target)
    assert not result.ok and result.retryable and not result.permanent_target_failure
    assert result.retry_after_seconds == 600
    assert "130101" in result.error
    clock.advance(5 * 60)  # the minute has passed, but the robot stays muted for 10 minutes
    assert not send(digest(), target).ok
    clock.advance(5 * 60 + 1)
    assert send(digest(title="恢复"), target).ok
    assert len(robot.messages) == 21


def test_dingtalk_robot_outage_is_retryable_and_recovers(dingtalk, clock):
    robot = dingtalk.add_robot(secret=FakeDingTalk.new_secret())
    target = Target(webhook_url=robot.webhook_url, secret=robot.secret)
    dingtalk.outage(300, mode="error", status=500)
    result = channel("dingtalk_robot").send(digest(), target)
    assert not result.ok and result.retryable and result.http_status == 500
    assert robot.token not in result.error  # the token is a credential: never in last_error
    clock.advance(301)
    assert channel("dingtalk_robot").send(digest(), target).ok


def test_dingtalk_robot_hanging_server_times_out_as_retryable(dingtalk, settings):
    settings.NOTIFY_HTTP_TIMEOUT_SECONDS = 0.3
    base.reset_channels()
    robot = dingtalk.add_robot()
    dingtalk.outage(60, mode="hang")
    result = channel("dingtalk_robot").send(digest(), Target(webhook_url=robot.webhook_url))
    assert not result.ok and result.retryable
    assert "timeout" in result.error
    assert robot.messages == []


def test_dingtalk_robot_unreachable_is_retryable(settings):
    fake = FakeDingTalk().start()
    url = fake.add_robot().webhook_url
    fake.stop()
    result = channel("dingtalk_robot").send(digest(), Target(webhook_url=url))
    assert not result.ok and result.retryable and "network error" in result.error


def test_dingtalk_robot_other_errcode_is_not_retryable(dingtalk):
    robot = dingtalk.add_robot()
    dingtalk.respond_next(200, {"errcode": 40035, "errmsg": "缺少参数 json"})
    result = channel("dingtalk_robot").send(digest(), Target(webhook_url=robot.webhook_url))
    assert not result.ok and not result.retryable and not result.permanent_target_failure
    dingtalk.respond_next(200, "<html>proxy error</html>")
    result = channel("dingtalk_robot").send(digest(), Target(webhook_url=robot.webhook_url))
    assert not result.ok and result.retryable  # not DingTalk's JSON: a gateway in the way


# DingTalk work notice


def test_dingtalk_work_notice_sends_action_card_and_caches_the_token(dingtalk):
    notice = channel("dingtalk_work_notice")
    first = notice.send(personal(), Target(recipient=ZHANG))
    second = notice.send(personal(link_url="", title="提醒"), Target(recipient=ZHANG))
    assert first.ok and second.ok, (first.error, second.error)
    assert first.provider_ref and first.provider_ref != second.provider_ref
    assert len(dingtalk.token_requests()) == 1
    card, plain = dingtalk.work_notices
    assert card["agent_id"] == 4242 and card["userid_list"] == "dt-zhang"
    assert card["msg"]["msgtype"] == "action_card"
    assert card["msg"]["action_card"]["single_url"] == ACK
    assert plain["msg"] == {
        "msgtype": "markdown",
        "markdown": {"title": "提醒", "text": personal().markdown},
    }


def test_dingtalk_work_notice_fetches_a_new_token_when_the_old_one_is_refused(dingtalk):
    notice = channel("dingtalk_work_notice")
    assert notice.send(personal(), Target(recipient=ZHANG)).ok
    dingtalk.expire_tokens()
    result = notice.send(personal(), Target(recipient=ZHANG))
    assert result.ok, result.error
    assert len(dingtalk.token_requests()) == 2 and len(dingtalk.work_notices) == 2


def test_dingtalk_work_notice_wrong_app_secret_is_not_retryable(dingtalk, settings):
    settings.DINGTALK_APP_SECRET = "wrong"
    base.reset_channels()
    result = channel("dingtalk_work_notice").send(personal(), Target(recipient=ZHANG))
    assert not result.ok and not result.retryable and "40089" in result.error


def test_dingtalk_work_notice_not_configured(settings):
    result = channel("dingtalk_work_notice").send(personal(), Target(recipient=ZHANG))
    assert not result.ok and not result.retryable and "not configured" in result.error


def test_dingtalk_work_notice_needs_the_persons_dingtalk_id(dingtalk):
    result = channel("dingtalk_work_notice").send(personal(), Target(recipient=NOBODY))
    assert not result.ok and not result.retryable and "not configured" in result.error
    assert dingtalk.received == []

"""Every channel adapter against a local fake that speaks the provider's protocol. Nothing here
reaches any address but 127.0.0.1: the autouse fixture points every endpoint at a closed local
port before a test configures the one it needs."""

import json
from email.utils import parseaddr
from urllib.parse import quote_plus

import pytest

from tests.fakes import (
    FakeAliyun,
    FakeDingTalk,
    FakeOa,
    FakeSmsGateway,
    FakeSmtp,
    FakeWeCom,
    ManualClock,
)
from tests.fakes.dingtalk import expected_sign
from vcassure.notifications.channels import base
from vcassure.notifications.channels.base import Message, Recipient, Target

NOWHERE = "http://127.0.0.1:9"
ACK = "http://vcassure.test/ack/t0ken"
ZHANG = Recipient(
    staff_id=7,
    name="张三",
    mobile="13800000001",
    email="zhang@example.test",
    dingtalk_user_id="dt-zhang",
    wecom_user_id="wx-zhang",
)
NOBODY = Recipient(staff_id=8, name="李四")


def digest(**overrides) -> Message:
    fields = {
        "title": "水利视频会商 09:00 保障任务",
        "text": "3 个分会场 08:00 前到场。",
        "markdown": "### 水利视频会商\n- 3 个分会场 08:00 前到场",
        "mention_mobiles": ("13800000001", "13800000002"),
    }
    return Message(**{**fields, **overrides})


def personal(**overrides) -> Message:
    fields = {
        "title": "请确认保障任务",
        "text": "明天 09:00 水利视频会商，请于 08:00 前到达某某乡会场。",
        "markdown": "**明天 09:00 水利视频会商**\n请于 08:00 前到达某某乡会场。",
        "html": "",
        "link_url": ACK,
    }
    return Message(**{**fields, **overrides})


def channel(code: str):
    return base.get_channel(code)


@pytest.fixture(autouse=True)
def offline(settings):
    settings.NOTIFY_HTTP_TIMEOUT_SECONDS = 2.0
    settings.DINGTALK_API_URL = settings.WECOM_API_URL = NOWHERE
    settings.ALIYUN_SMS_ENDPOINT = settings.ALIYUN_VOICE_ENDPOINT = NOWHERE
    settings.SMS_GATEWAY_URL = settings.OA_WEBHOOK_URL = settings.EMAIL_URL = ""
    settings.DINGTALK_APP_KEY = settings.WECOM_CORP_ID = settings.ALIYUN_ACCESS_KEY_ID = ""
    base.reset_channels()
    yield
    base.reset_channels()


@pytest.fixture
def clock():
    return ManualClock()


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


@pytest.fixture
def gateway(settings):
    with FakeSmsGateway(basic_auth=("vcassure", "p@ss word")) as fake:
        settings.SMS_GATEWAY_URL = fake.send_url
        base.reset_channels()
        yield fake
        assert fake.errors == []


@pytest.fixture
def aliyun(settings):
    fake = FakeAliyun(
        access_keys={"LTAI-fake": "fake-secret"},
        sign_names=("视频会商保障",),
        template_codes=("SMS_0001",),
        tts_codes=("TTS_0001",),
    )
    with fake:
        settings.ALIYUN_SMS_ENDPOINT = settings.ALIYUN_VOICE_ENDPOINT = fake.url
        settings.ALIYUN_ACCESS_KEY_ID, settings.ALIYUN_ACCESS_KEY_SECRET = (
            "LTAI-fake",
            "fake-secret",
        )
        settings.ALIYUN_SMS_SIGN_NAME, settings.ALIYUN_SMS_TEMPLATE_CODE = (
            "视频会商保障",
            "SMS_0001",
        )
        settings.ALIYUN_VOICE_TTS_CODE = "TTS_0001"
        base.reset_channels()
        yield fake
        assert fake.errors == []


@pytest.fixture
def oa(settings):
    with FakeOa() as fake:
        settings.OA_WEBHOOK_URL = fake.webhook_url
        base.reset_channels()
        yield fake
        assert fake.errors == []


@pytest.fixture
def smtp(settings, monkeypatch):
    # Django says EHLO with the machine's FQDN; looking it up could reach a DNS server.
    from django.core.mail.utils import DNS_NAME

    monkeypatch.setattr(DNS_NAME, "_fqdn", "localhost", raising=False)
    settings.DEFAULT_FROM_EMAIL = "保障平台 <noreply@vcassure.test>"
    with FakeSmtp(users={"mailer": "s3cret/pass"}) as fake:
        settings.EMAIL_URL = fake.url + "?timeout=3"
        base.reset_channels()
        yield fake


def test_registry_builds_every_configured_channel():
    channels = base.channel_registry()
    assert set(channels) == {
        "dingtalk_robot",
        "wecom_robot",
        "dingtalk_work_notice",
        "wecom_app_message",
        "sms",
        "aliyun_sms",
        "email",
        "oa",
        "voice",
    }
    assert {c.kind for c in channels.values()} == {"group", "personal"}
    assert channels["dingtalk_robot"].kind == "group" and channels["wecom_robot"].kind == "group"
    assert channels["voice"].ack_class == "phone"
    assert {channels[c].ack_class for c in ("sms", "aliyun_sms", "email", "oa")} == {"office"}


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


# SMS through the generic gateway


def test_http_sms_posts_the_gateway_contract(gateway):
    message = personal(extra={"ref": "delivery-17"})
    result = channel("sms").send(message, Target(recipient=ZHANG))
    assert result.ok, result.error
    assert result.provider_ref == "sms1"
    [body] = gateway.messages
    assert body["mobile"] == "13800000001" and body["ref"] == "delivery-17"
    assert body["content"].startswith("明天 09:00") and ACK in body["content"]
    assert gateway.received[0].headers["authorization"].startswith("Basic ")


def test_http_sms_5xx_and_429_are_retryable(gateway):
    gateway.outage(mode="error", status=503)
    result = channel("sms").send(personal(), Target(recipient=ZHANG))
    assert not result.ok and result.retryable and result.http_status == 503
    gateway.recover()
    gateway.respond_next(429, {"code": "TOO_MANY"}, headers={"Retry-After": "30"})
    result = channel("sms").send(personal(), Target(recipient=ZHANG))
    assert not result.ok and result.retryable and result.retry_after_seconds == 30


def test_http_sms_4xx_is_permanent(gateway):
    bad = Recipient(name="号码错", mobile="12345")
    result = channel("sms").send(personal(), Target(recipient=bad))
    assert not result.ok and not result.retryable and result.http_status == 400
    assert "INVALID_MOBILE" in result.error


def test_http_sms_refusal_code_in_a_2xx_is_permanent(gateway):
    gateway.respond_next(200, {"code": 17, "message": "blacklisted"})
    result = channel("sms").send(personal(), Target(recipient=ZHANG))
    assert not result.ok and not result.retryable and "blacklisted" in result.error


def test_http_sms_not_configured_or_no_mobile(settings, gateway):
    result = channel("sms").send(personal(), Target(recipient=NOBODY))
    assert not result.ok and not result.retryable
    settings.SMS_GATEWAY_URL = ""
    base.reset_channels()
    result = channel("sms").send(personal(), Target(recipient=ZHANG))
    assert not result.ok and not result.retryable and "not configured" in result.error


# Aliyun SMS and voice (official SDK against the fake, which checks the signature)


def test_aliyun_sms_sends_a_signed_send_sms(aliyun):
    result = channel("aliyun_sms").send(personal(extra={"ref": "d-9"}), Target(recipient=ZHANG))
    assert result.ok, result.error
    assert result.provider_ref.endswith("^0")
    [sms] = aliyun.sms
    assert aliyun.signature_schemes == ["ACS3-HMAC-SHA256"]
    assert sms["PhoneNumbers"] == "13800000001" and sms["SignName"] == "视频会商保障"
    assert sms["TemplateCode"] == "SMS_0001" and sms["OutId"] == "d-9"
    assert json.loads(sms["TemplateParam"]) == {
        "title": "请确认保障任务",
        "content": personal().text,
        "url": ACK,
    }


def test_aliyun_sms_wrong_secret_is_not_retryable(aliyun, settings):
    settings.ALIYUN_ACCESS_KEY_SECRET = "not-the-secret"
    base.reset_channels()
    result = channel("aliyun_sms").send(personal(), Target(recipient=ZHANG))
    assert not result.ok and not result.retryable and result.http_status == 400
    assert "SignatureDoesNotMatch" in result.error
    assert aliyun.sms == []


def test_aliyun_sms_business_limit_is_retryable_other_isv_permanent(aliyun, settings):
    aliyun.per_number_per_minute = 1
    sms = channel("aliyun_sms")
    assert sms.send(personal(), Target(recipient=ZHANG)).ok
    limited = sms.send(personal(), Target(recipient=ZHANG))
    assert not limited.ok and limited.retryable and "isv.BUSINESS_LIMIT_CONTROL" in limited.error
    settings.ALIYUN_SMS_SIGN_NAME = "没有备案的签名"
    base.reset_channels()
    refused = channel("aliyun_sms").send(personal(), Target(recipient=ZHANG))
    assert not refused.ok and not refused.retryable and "isv.SMS_SIGNATURE_ILLEGAL" in refused.error


def test_aliyun_sms_outage_and_timeout_are_retryable(aliyun, settings):
    aliyun.outage(mode="error", status=503)
    result = channel("aliyun_sms").send(personal(), Target(recipient=ZHANG))
    assert not result.ok and result.retryable
    settings.NOTIFY_HTTP_TIMEOUT_SECONDS = 0.3
    base.reset_channels()
    aliyun.outage(mode="hang")
    result = channel("aliyun_sms").send(personal(), Target(recipient=ZHANG))
    assert not result.ok and result.retryable and "network error" in result.error


def test_aliyun_sms_not_configured(settings):
    result = channel("aliyun_sms").send(personal(), Target(recipient=ZHANG))
    assert not result.ok and not result.retryable and "not configured" in result.error


def test_voice_call_reads_the_message(aliyun):
    result = channel("voice").send(personal(), Target(recipient=ZHANG))
    assert result.ok, result.error
    assert result.provider_ref
    [call] = aliyun.calls
    assert call["CalledNumber"] == "13800000001" and call["TtsCode"] == "TTS_0001"
    assert json.loads(call["TtsParam"])["content"] == personal().text


def test_voice_call_not_configured(settings):
    result = channel("voice").send(personal(), Target(recipient=ZHANG))
    assert not result.ok and not result.retryable and "not configured" in result.error


# Email


def test_email_sends_text_and_html_to_the_person(smtp):
    result = channel("email").send(personal(), Target(recipient=ZHANG))
    assert result.ok, result.error
    [mail] = smtp.received
    assert mail.rcpt_tos == ["zhang@example.test"]
    assert parseaddr(str(mail.message["To"]))[1] == "zhang@example.test"
    assert parseaddr(mail.mail_from)[1] == "noreply@vcassure.test"
    assert mail.subject == "请确认保障任务"
    assert mail.message["Message-ID"] == result.provider_ref
    assert "明天 09:00" in mail.text and ACK in mail.text
    assert "明天 09:00" in mail.html and f'href="{ACK}"' in mail.html


def test_email_uses_the_messages_html_when_given(smtp):
    html = "<h1>保障任务</h1><p>请确认</p>"
    assert channel("email").send(personal(html=html), Target(recipient=ZHANG)).ok
    assert smtp.received[0].html.strip() == html


def test_email_451_is_retryable_550_is_permanent(smtp):
    smtp.reject(451, times=1)
    result = channel("email").send(personal(), Target(recipient=ZHANG))
    assert not result.ok and result.retryable and "451" in result.error
    smtp.reject(550)
    result = channel("email").send(personal(), Target(recipient=ZHANG))
    assert not result.ok and not result.retryable and "550" in result.error
    smtp.accept()
    assert channel("email").send(personal(), Target(recipient=ZHANG)).ok
    assert len(smtp.received) == 1


def test_email_wrong_password_is_permanent(smtp, settings):
    settings.EMAIL_URL = f"smtp://mailer:wrong@127.0.0.1:{smtp.port}"
    base.reset_channels()
    result = channel("email").send(personal(), Target(recipient=ZHANG))
    assert not result.ok and not result.retryable and "535" in result.error


def test_email_unreachable_server_is_retryable(smtp, settings):
    port = smtp.port
    smtp.stop()
    settings.EMAIL_URL = f"smtp://127.0.0.1:{port}"
    base.reset_channels()
    result = channel("email").send(personal(), Target(recipient=ZHANG))
    assert not result.ok and result.retryable


def test_email_not_configured_or_no_address(settings, smtp):
    result = channel("email").send(personal(), Target(recipient=NOBODY))
    assert not result.ok and not result.retryable
    settings.EMAIL_URL = ""
    base.reset_channels()
    result = channel("email").send(personal(), Target(recipient=ZHANG))
    assert not result.ok and not result.retryable and "not configured" in result.error
    assert smtp.received == []


# OA webhook


def test_oa_posts_the_todo_item(oa):
    result = channel("oa").send(personal(extra={"ref": "d-3"}), Target(recipient=ZHANG))
    assert result.ok, result.error
    assert result.provider_ref == "todo1"
    [item] = oa.items
    assert item == {
        "title": "请确认保障任务",
        "content": personal().text,
        "url": ACK,
        "receiver": {"mobile": "13800000001", "email": "zhang@example.test", "name": "张三"},
        "ref": "d-3",
    }


def test_oa_5xx_is_retryable_4xx_permanent(oa):
    oa.outage(mode="error", status=500)
    result = channel("oa").send(personal(), Target(recipient=ZHANG))
    assert not result.ok and result.retryable and result.http_status == 500
    oa.recover()
    oa.respond_next(422, {"error": "receiver unknown"})
    result = channel("oa").send(personal(), Target(recipient=ZHANG))
    assert not result.ok and not result.retryable and result.http_status == 422


def test_oa_not_configured(settings):
    result = channel("oa").send(personal(), Target(recipient=ZHANG))
    assert not result.ok and not result.retryable and "not configured" in result.error

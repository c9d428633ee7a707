"""The SMS and voice adapters: the generic HTTP SMS gateway, and Aliyun SMS and voice calls through
the official SDK against a fake that checks the signature. Nothing here reaches any address but
127.0.0.1: `channels_offline` (conftest.py) points every endpoint at a closed local port before a
test configures the one it needs."""

import json

import pytest

from tests.fakes import FakeAliyun, FakeSmsGateway
from vcassure.notifications.channels import base
from vcassure.notifications.channels.base import Recipient, Target
from vcassure.notifications.tests.channels_helpers import ACK, NOBODY, ZHANG, channel, personal

pytestmark = pytest.mark.usefixtures("channels_offline")


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

"""The local fake gateways the fault notices go to (as the notification tests set them up): every
channel pointed at nothing, then the fakes a test asks for switched on."""

from datetime import datetime

import pytest

from tests.factories.notifications import NOWHERE, T0
from tests.fakes import FakeDingTalk, FakeSmsGateway, FakeWeCom, ManualClock
from vcassure.notifications.channels import base


@pytest.fixture
def channels_offline(settings):
    settings.NOTIFY_HTTP_TIMEOUT_SECONDS = 2.0
    settings.DINGTALK_API_URL = settings.WECOM_API_URL = NOWHERE
    settings.ALIYUN_SMS_ENDPOINT = settings.ALIYUN_VOICE_ENDPOINT = NOWHERE
    settings.SMS_GATEWAY_URL = settings.OA_WEBHOOK_URL = settings.EMAIL_URL = ""
    settings.DINGTALK_APP_KEY = settings.WECOM_CORP_ID = settings.ALIYUN_ACCESS_KEY_ID = ""
    base.reset_channels()
    yield settings
    base.reset_channels()


@pytest.fixture
def fake_clock():
    return ManualClock(start=datetime.fromisoformat(T0.replace(" +", "+")).timestamp())


@pytest.fixture
def fake_dingtalk(channels_offline, fake_clock):
    with FakeDingTalk(clock=fake_clock, hang_seconds=4) as fake:
        yield fake


@pytest.fixture
def fake_wecom(channels_offline, fake_clock):
    with FakeWeCom(clock=fake_clock, corp_id="ww", corp_secret="s", agent_id=1, users=()) as fake:
        yield fake


@pytest.fixture
def fake_sms(channels_offline, fake_clock):
    with FakeSmsGateway(clock=fake_clock, hang_seconds=4) as fake:
        channels_offline.SMS_GATEWAY_URL = fake.send_url
        base.reset_channels()
        yield fake

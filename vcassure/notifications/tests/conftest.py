from datetime import datetime

import pytest

from tests.factories.notifications import NOWHERE, T0
from tests.factories.orgs import StaffFactory, UserFactory
from tests.fakes import FakeDingTalk, FakeOa, FakeSmsGateway, FakeSmtp, FakeWeCom, ManualClock
from vcassure.accounts.models import Role
from vcassure.notifications import calendar as cal
from vcassure.notifications.channels import base
from vcassure.orgs.models import Department


@pytest.fixture
def channels_offline(settings):
    """Every channel pointed at nothing, so a test switches on exactly the fakes it starts."""
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
    """The fakes' clock starts at T0 too (DingTalk checks that the signed timestamp is recent)."""
    return ManualClock(start=datetime.fromisoformat(T0.replace(" +", "+")).timestamp())


@pytest.fixture
def clock():
    """A manual clock at its own default start, for the channel adapter tests' fakes."""
    return ManualClock()


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


@pytest.fixture
def fake_oa(channels_offline):
    with FakeOa() as fake:
        channels_offline.OA_WEBHOOK_URL = fake.webhook_url
        base.reset_channels()
        yield fake


@pytest.fixture
def fake_smtp(channels_offline, monkeypatch):
    from django.core.mail.utils import DNS_NAME

    monkeypatch.setattr(DNS_NAME, "_fqdn", "localhost", raising=False)
    with FakeSmtp() as fake:
        channels_offline.EMAIL_URL = fake.url + "?timeout=3"
        base.reset_channels()
        yield fake


@pytest.fixture
def chain(tree):
    """A township person with a supervisor and a department head, and the province dispatch desk."""
    county = tree.counties[0]
    head = StaffFactory(org_unit=county, name="县负责人")
    dept = Department.objects.get(org_unit=county, kind="tech_maintenance")
    dept.head = head
    dept.save()
    supervisor = StaffFactory(org_unit=county, department=dept, name="主管")
    person = StaffFactory(
        org_unit=tree.townships[0],
        department=dept,
        supervisor=supervisor,
        name="乡镇保障员",
        email="",
    )
    return person, supervisor, head


@pytest.fixture
def admin(db):
    """The administrator who edits the working calendar (test_calendar_*.py)."""
    return UserFactory(username="cal-admin", role=Role.ADMIN)


@pytest.fixture
def fresh_fallback_warnings():
    """The calendar warns once per year without holiday data; each calendar test starts afresh."""
    cal._fallback_warned_at.clear()
    yield
    cal._fallback_warned_at.clear()

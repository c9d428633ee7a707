"""The email adapter against a local SMTP server, and the OA to-do webhook against its fake. Nothing
here reaches any address but 127.0.0.1: `channels_offline` (conftest.py) points every endpoint at a
closed local port before a test configures the one it needs."""

from email.utils import parseaddr

import pytest

from tests.fakes import FakeOa, FakeSmtp
from vcassure.notifications.channels import base
from vcassure.notifications.channels.base import Target
from vcassure.notifications.tests.channels_helpers import ACK, NOBODY, ZHANG, channel, personal

pytestmark = pytest.mark.usefixtures("channels_offline")


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

"""The local fake gateways of the notification tests, for the fault notices."""

from vcassure.notifications.tests.conftest import (  # noqa: F401
    channels_offline,
    fake_clock,
    fake_dingtalk,
    fake_sms,
    fake_smtp,
    fake_wecom,
)

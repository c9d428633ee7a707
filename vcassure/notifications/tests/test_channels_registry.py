"""The channel registry builds every configured channel adapter, each with its kind and
acknowledgement class. Nothing here reaches any address but 127.0.0.1: `channels_offline`
(conftest.py) points every endpoint at a closed local port before a test configures the one it
needs."""

import pytest

from vcassure.notifications.channels import base

pytestmark = pytest.mark.usefixtures("channels_offline")


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

"""Local stand-ins for the outside services the notification channels talk to. Each listens on
127.0.0.1 with an ephemeral port, exposes `.url`, `.received`, `.start()`/`.stop()` and works as a
context manager; tests use them, and so can a demo run."""

from ._server import FakeHttpServer, ManualClock, ReceivedRequest, Reply
from .dingtalk import FakeDingTalk, FakeRobot
from .oa import FakeOa
from .sms import FakeAliyun, FakeSmsGateway
from .smtp import FakeSmtp, ReceivedMail
from .webhooks import FakeWebhookReceiver
from .wecom import FakeWeCom, FakeWeComRobot

__all__ = [
    "FakeAliyun",
    "FakeDingTalk",
    "FakeHttpServer",
    "FakeOa",
    "FakeRobot",
    "FakeSmsGateway",
    "FakeSmtp",
    "FakeWebhookReceiver",
    "FakeWeCom",
    "FakeWeComRobot",
    "ManualClock",
    "ReceivedMail",
    "ReceivedRequest",
    "Reply",
]

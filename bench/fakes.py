"""The local outside world of a benchmark: the fake DingTalk, WeCom, SMS gateway, OA and SMTP
servers of tests/fakes, started on ephemeral ports, either as threads of this process (`Fakes`) or
in a process of their own driven over a pipe (`FakesProcess`: the providers are other machines, so
the sender should not also run their request handling under its own interpreter lock); and the
channel settings and IM groups pointed at them (`wire`)."""

from collections import Counter
from dataclasses import dataclass
from typing import Any

GROUP_FIELDS = ("webhook_url", "secret", "paused_until", "needs_attention", "last_error")


@dataclass
class Fakes:
    """The local outside world of one run, started on ephemeral ports."""

    dingtalk: Any
    wecom: Any
    sms: Any
    oa: Any
    smtp: Any

    @classmethod
    def start(cls) -> "Fakes":
        from tests.fakes import FakeDingTalk, FakeOa, FakeSmsGateway, FakeSmtp, FakeWeCom

        fakes = cls(
            dingtalk=FakeDingTalk(),
            wecom=FakeWeCom(
                corp_id="ww-bench",
                corp_secret="bench-secret",  # noqa: S106
                agent_id="1000002",
            ),
            sms=FakeSmsGateway(),
            oa=FakeOa(),
            smtp=FakeSmtp(),
        )
        fakes.dingtalk.add_app("bench-app", "bench-app-secret", "100001")
        for fake in fakes.all():
            fake.start()
        return fakes

    def all(self) -> list[Any]:
        return [self.dingtalk, self.wecom, self.sms, self.oa, self.smtp]

    def stop(self) -> None:
        for fake in self.all():
            fake.stop()

    def settings(self) -> dict[str, str]:
        return {
            "DINGTALK_API_URL": self.dingtalk.url,
            "DINGTALK_APP_KEY": "bench-app",
            "DINGTALK_APP_SECRET": "bench-app-secret",
            "DINGTALK_AGENT_ID": "100001",
            "WECOM_API_URL": self.wecom.url,
            "WECOM_CORP_ID": self.wecom.corp_id,
            "WECOM_CORP_SECRET": self.wecom.corp_secret,
            "WECOM_AGENT_ID": self.wecom.agent_id,
            "SMS_GATEWAY_URL": self.sms.send_url,
            "OA_WEBHOOK_URL": self.oa.webhook_url,
            "EMAIL_URL": f"{self.smtp.url}?timeout=5",
            "ALIYUN_ACCESS_KEY_ID": "",
        }

    def accepted(self) -> Counter:
        """Messages the fakes accepted, by the channel code that sends them."""
        return Counter(
            {
                "dingtalk_robot": len(self.dingtalk.robot_messages()),
                "dingtalk_work_notice": len(self.dingtalk.work_notices),
                "wecom_robot": len(self.wecom.robot_messages()),
                "wecom_app_message": len(self.wecom.app_messages),
                "sms": len(self.sms.messages),
                "oa": len(self.oa.items),
                "email": len(self.smtp.received),
            }
        )

    def http_messages(self) -> list[Any]:
        """Every HTTP request that carried a message (token requests left out)."""
        fakes = [self.dingtalk, self.wecom, self.sms, self.oa]
        return [r for fake in fakes for r in fake.received if r.method == "POST"]

    def errors(self) -> list[str]:
        return [e for fake in self.all() for e in getattr(fake, "errors", [])]

    def message_sizes(self) -> list[int]:
        """The body size of every HTTP request that carried a message."""
        return [len(r.body) for r in self.http_messages()]

    def robot_for(self, platform: str) -> tuple[str, str]:
        """A new group robot on the platform's fake: (webhook URL, signing secret)."""
        from tests.fakes import FakeDingTalk

        if platform == "dingtalk":
            robot = self.dingtalk.add_robot(secret=FakeDingTalk.new_secret())
            return robot.webhook_url, robot.secret
        return self.wecom.add_robot().webhook_url, ""

    @property
    def baseline_url(self) -> str:
        return self.sms.send_url


def _serve_fakes(conn: Any) -> None:
    """The child of FakesProcess: start the fakes, then answer the parent's calls until "stop"."""
    fakes = Fakes.start()
    conn.send((fakes.settings(), fakes.baseline_url))
    while True:
        name, *args = conn.recv()
        if name == "stop":
            fakes.stop()
            conn.send((True, None))
            return
        try:
            conn.send((True, getattr(fakes, name)(*args)))
        except Exception as exc:  # noqa: BLE001  # the parent raises it
            conn.send((False, repr(exc)))


class FakesProcess:
    """The same fakes, served by a process of their own, as the providers are other machines: the
    sender (and the bare baseline) then pays for its side of each request only, instead of also
    running the fakes' request handling in its own process under its own interpreter lock. Driven
    over a pipe with the calls the bench makes (settings, robots, what was accepted)."""

    def __init__(self) -> None:
        import multiprocessing

        from django.db import connections

        connections.close_all()  # the child must not inherit an open database connection
        context = multiprocessing.get_context("fork")
        self._conn, child = context.Pipe()
        self._process = context.Process(target=_serve_fakes, args=(child,), daemon=True)
        self._process.start()
        self._settings, self.baseline_url = self._conn.recv()

    def _call(self, name: str, *args: Any) -> Any:
        self._conn.send((name, *args))
        ok, value = self._conn.recv()
        if not ok:
            raise RuntimeError(f"fakes.{name}: {value}")
        return value

    def settings(self) -> dict[str, str]:
        return dict(self._settings)

    def robot_for(self, platform: str) -> tuple[str, str]:
        return self._call("robot_for", platform)

    def accepted(self) -> Counter:
        return self._call("accepted")

    def errors(self) -> list[str]:
        return self._call("errors")

    def message_sizes(self) -> list[int]:
        return self._call("message_sizes")

    def stop(self) -> None:
        self._call("stop")
        self._process.join(10)


def wire(fakes: "Fakes | FakesProcess") -> int:
    """Point the channels at this run's fakes and every IM group at a robot of its own on them."""
    from django.conf import settings

    from vcassure.notifications.channels.base import reset_channels
    from vcassure.notifications.demo import allow_local_fakes
    from vcassure.notifications.models import ImGroup

    for name, value in fakes.settings().items():
        setattr(settings, name, value)
    allow_local_fakes()  # the fakes listen on this machine, which the allowlist refuses otherwise
    reset_channels()
    groups = list(ImGroup.objects.all())
    for group in groups:
        group.webhook_url, group.secret = fakes.robot_for(group.platform)
        group.paused_until, group.needs_attention, group.last_error = None, False, ""
    ImGroup.objects.bulk_update(groups, GROUP_FIELDS)
    return len(groups)

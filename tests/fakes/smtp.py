"""A local SMTP server (aiosmtpd) on 127.0.0.1 with an ephemeral port that keeps every message
it accepts, optionally requires AUTH (over plain SMTP, as a test needs), and can be told to
refuse recipients with a temporary (451) or permanent (550) answer."""

import email
import email.policy
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Any
from urllib.parse import quote

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

HOST = "127.0.0.1"


@dataclass
class ReceivedMail:
    mail_from: str
    rcpt_tos: list[str]
    message: EmailMessage
    at: float

    @property
    def subject(self) -> str:
        return str(self.message["Subject"] or "")

    def part(self, content_type: str) -> str:
        body = self.message.get_body(preferencelist=(content_type.split("/")[1],))
        return (
            body.get_content()
            if body is not None and body.get_content_type() == content_type
            else ""
        )

    @property
    def text(self) -> str:
        return self.part("text/plain")

    @property
    def html(self) -> str:
        return self.part("text/html")


class _EphemeralController(Controller):
    """aiosmtpd's Controller checks readiness by connecting to `port`; with port 0 it must first
    learn which port the OS gave it."""

    def _trigger_server(self) -> None:
        self.port = self.server.sockets[0].getsockname()[1]
        super()._trigger_server()


class FakeSmtp:
    def __init__(
        self, *, users: dict[str, str] | None = None, clock: Callable[[], float] | None = None
    ) -> None:
        self.users = dict(users or {})
        self.clock = clock or time.time
        self.received: list[ReceivedMail] = []
        self.refused: list[tuple[str, str]] = []  # (recipient, answer) for refused RCPTs
        self._lock = threading.Lock()
        self._reject: tuple[str, float | None, int | None] | None = (
            None  # answer, until, times left
        )
        self._controller: _EphemeralController | None = None

    # lifecycle

    def start(self) -> "FakeSmtp":
        if self._controller is not None:
            return self
        kwargs: dict[str, Any] = {}
        if self.users:
            kwargs = {"authenticator": self._authenticate, "auth_require_tls": False}
        # server_hostname spares aiosmtpd a DNS look-up of this machine's FQDN.
        self._controller = _EphemeralController(
            self, hostname=HOST, port=0, server_hostname="localhost", **kwargs
        )
        self._controller.start()
        return self

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def __enter__(self) -> "FakeSmtp":
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        if self._controller is None:
            raise RuntimeError("fake SMTP server is not running")
        return self._controller.port

    @property
    def url(self) -> str:
        """An EMAIL_URL for this server (with the first user's credentials when AUTH is on)."""
        if self.users:
            user, password = next(iter(self.users.items()))
            return f"smtp://{quote(user, safe='')}:{quote(password, safe='')}@{HOST}:{self.port}"
        return f"smtp://{HOST}:{self.port}"

    # behaviour switches

    def reject(
        self,
        code: int = 451,
        text: str = "",
        *,
        seconds: float | None = None,
        times: int | None = None,
    ) -> None:
        """Refuse recipients with `code` for `seconds`, for `times` recipients, or until accept()."""
        default = (
            "4.3.0 Temporary failure, try again later"
            if code < 500
            else "5.1.1 Mailbox unavailable"
        )
        until = None if seconds is None else self.clock() + seconds
        with self._lock:
            self._reject = (f"{code} {text or default}", until, times)

    def accept(self) -> None:
        with self._lock:
            self._reject = None

    # aiosmtpd handler hooks

    def _authenticate(
        self, server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any
    ) -> AuthResult:
        if isinstance(auth_data, LoginPassword):
            user, password = auth_data.login.decode(), auth_data.password.decode()
            if self.users.get(user) == password:
                return AuthResult(success=True)
        return AuthResult(success=False, handled=False)

    def _rejection(self) -> str | None:
        with self._lock:
            if self._reject is None:
                return None
            answer, until, times = self._reject
            if until is not None and self.clock() >= until:
                self._reject = None
                return None
            if times is not None:
                self._reject = None if times <= 1 else (answer, until, times - 1)
            return answer

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: list
    ) -> str:
        if self.users and not session.authenticated:
            return "530 5.7.0 Authentication required"
        answer = self._rejection()
        if answer:
            with self._lock:
                self.refused.append((address, answer))
            return answer
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
        with self._lock:
            self.received.append(
                ReceivedMail(envelope.mail_from, list(envelope.rcpt_tos), message, self.clock())
            )
        return "250 Message accepted for delivery"

"""A system that receives VC Assure's webhooks: it checks each request's Standard Webhooks
signature with its own HMAC (not the sender's library), keeps the verified events in the order
they arrived, and can be stopped and started again on the same port (a receiver that is down)."""

import base64
import hashlib
import hmac
import json
import threading
from dataclasses import dataclass
from typing import Any

from ._server import HOST, FakeHttpServer, ReceivedRequest, Reply, _handler_for, _QuietServer


def expected_signature(secret: str, msg_id: str, timestamp: str, body: bytes) -> str:
    """v1, + base64 HMAC-SHA256 of "id.timestamp.body", keyed by the secret's base64 bytes."""
    key = base64.b64decode(secret.removeprefix("whsec_"))
    digest = hmac.new(key, f"{msg_id}.{timestamp}.".encode() + body, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


@dataclass
class ReceivedEvent:
    id: str
    timestamp: str
    type: str
    data: dict[str, Any]
    body: dict[str, Any]


class FakeWebhookReceiver(FakeHttpServer):
    name = "webhook-receiver"

    def __init__(self, secret: str = "", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.secret = secret
        self.events: list[ReceivedEvent] = []
        self.rejected: list[ReceivedRequest] = []
        self._port = 0

    def start(self) -> "FakeWebhookReceiver":
        """Listen on the port it had before, if it had one (a restart after an outage)."""
        if self._server is not None:
            return self
        self._release.clear()
        self._server = _QuietServer((HOST, self._port), _handler_for(self))
        self._server.daemon_threads = True
        self._port = self._server.server_address[1]
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"{self.name}-server",
            daemon=True,
        )
        self._thread.start()
        return self

    @property
    def port(self) -> int:
        return self._port or super().port

    def handle(self, request: ReceivedRequest) -> Reply:
        h = request.headers
        msg_id, timestamp, signatures = (
            h.get("webhook-id", ""),
            h.get("webhook-timestamp", ""),
            h.get("webhook-signature", ""),
        )
        want = expected_signature(self.secret, msg_id, timestamp, request.body)
        if not any(hmac.compare_digest(want, s) for s in signatures.split()):
            self.rejected.append(request)
            return Reply(401, {"error": "bad signature"})
        body = json.loads(request.body)
        self.events.append(ReceivedEvent(msg_id, timestamp, body["type"], body["data"], body))
        return Reply(200, {"ok": True})

"""A local OA (office automation) webhook that speaks the contract of
vcassure/notifications/channels/oa.py: a JSON to-do item in, {"id": …} out."""

import itertools
from collections.abc import Callable

from ._server import FakeHttpServer, ReceivedRequest, Reply


class FakeOa(FakeHttpServer):
    name = "fake-oa"
    path = "/oa/todo"

    def __init__(
        self, *, clock: Callable[[], float] | None = None, hang_seconds: float = 30.0
    ) -> None:
        super().__init__(clock=clock, hang_seconds=hang_seconds)
        self.items: list[dict] = []  # accepted to-do items
        self._ids = itertools.count(1)

    @property
    def webhook_url(self) -> str:
        return f"{self.url}{self.path}"

    def handle(self, request: ReceivedRequest) -> Reply:
        if request.path.split("?")[0] != self.path or request.method != "POST":
            return Reply(404, {"error": "no such endpoint"})
        body = request.json
        if not isinstance(body, dict):
            return Reply(400, {"error": "JSON object expected"})
        receiver = body.get("receiver")
        if not body.get("title") or not isinstance(receiver, dict):
            return Reply(422, {"error": "title and receiver are required"})
        if not (receiver.get("mobile") or receiver.get("email")):
            return Reply(422, {"error": "receiver needs a mobile number or an email address"})
        item_id = f"todo{next(self._ids)}"
        self.items.append(body)
        return Reply(201, {"id": item_id})

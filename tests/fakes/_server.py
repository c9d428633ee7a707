"""The machinery every HTTP fake shares: a ThreadingHTTPServer on 127.0.0.1 with an ephemeral
port in a background thread, a record of every request, an injectable clock, scripted answers
and an outage switch (answer 500s, or hang past the client's timeout, for a while)."""

import json
import sys
import threading
import time
import traceback
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

HOST = "127.0.0.1"


class ManualClock:
    """A clock that moves only when told to: rate limits and blocks without waiting."""

    def __init__(self, start: float | None = None) -> None:
        self._now = time.time() if start is None else start
        self._lock = threading.Lock()

    def __call__(self) -> float:
        with self._lock:
            return self._now

    def advance(self, seconds: float) -> None:
        with self._lock:
            self._now += seconds


@dataclass
class ReceivedRequest:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]  # lower-case names
    body: bytes
    at: float
    status: int = 0  # what the fake answered (0: no answer, the connection was dropped)
    answer: Any = None  # the answer's parsed body

    @property
    def raw_query(self) -> str:
        return urlsplit(self.path).query

    @property
    def json(self) -> Any:
        try:
            return json.loads(self.body or b"null")
        except ValueError:
            return None

    @property
    def form(self) -> dict[str, str]:
        return dict(parse_qsl(self.body.decode(errors="replace"), keep_blank_values=True))


@dataclass
class Reply:
    status: int = 200
    body: Any = None  # dict/list → JSON; str/bytes as they are
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class _Outage:
    until: float | None  # fake-clock time, None: until recover()
    mode: str  # "error" or "hang"
    status: int


class FakeHttpServer:
    """Subclasses implement handle(request) -> Reply; it runs under self.lock."""

    name = "fake"

    def __init__(
        self, *, clock: Callable[[], float] | None = None, hang_seconds: float = 30.0
    ) -> None:
        self.clock: Callable[[], float] = clock or time.time
        self.hang_seconds = hang_seconds
        self.received: list[ReceivedRequest] = []
        self.errors: list[str] = []  # tracebacks of the fake's own bugs (answered with 500)
        self.lock = threading.RLock()
        self._outage: _Outage | None = None
        self._scripted: deque[Reply] = deque()
        self._release = threading.Event()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # lifecycle

    def start(self) -> "FakeHttpServer":
        if self._server is not None:
            return self
        self._release.clear()
        self._server = _QuietServer((HOST, 0), _handler_for(self))
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"{self.name}-server",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._release.set()  # let hung handlers go
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = self._thread = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError(f"{self.name} is not running")
        return self._server.server_address[1]

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"

    # behaviour switches

    def outage(
        self, seconds: float | None = None, *, mode: str = "error", status: int = 500
    ) -> None:
        """Answer every request with `status` (mode "error") or never answer (mode "hang") for
        `seconds` of the fake's clock, or until recover()."""
        if mode not in ("error", "hang"):
            raise ValueError("mode is 'error' or 'hang'")
        with self.lock:
            until = None if seconds is None else self.clock() + seconds
            self._outage = _Outage(until=until, mode=mode, status=status)

    def recover(self) -> None:
        with self.lock:
            self._outage = None

    def respond_next(
        self, status: int, body: Any = None, *, times: int = 1, headers: dict | None = None
    ) -> None:
        """Answer the next `times` requests with this, whatever they are."""
        with self.lock:
            self._scripted.extend(Reply(status, body, headers or {}) for _ in range(times))

    def clear(self) -> None:
        with self.lock:
            self.received.clear()

    def handle(self, request: ReceivedRequest) -> Reply:
        return Reply(404, {"error": "not found"})

    # inside the server thread

    def _current_outage(self) -> _Outage | None:
        outage = self._outage
        if outage is not None and outage.until is not None and self.clock() >= outage.until:
            self._outage = outage = None
        return outage

    def _dispatch(self, request: ReceivedRequest) -> Reply | None:
        with self.lock:
            self.received.append(request)
            outage = self._current_outage()
            if outage is None:
                try:
                    reply = self._scripted.popleft() if self._scripted else self.handle(request)
                except Exception:
                    self.errors.append(traceback.format_exc())
                    reply = Reply(500, "fake server error")
                request.status, request.answer = reply.status, reply.body
                return reply
        if outage.mode == "hang":
            self._release.wait(self.hang_seconds)
            return None
        reply = Reply(outage.status, "<html><body><h1>Service Unavailable</h1></body></html>")
        request.status, request.answer = reply.status, reply.body
        return reply


class _QuietServer(ThreadingHTTPServer):
    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that went away (a worker killed mid-request) is not the fake's error.
        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)


def _handler_for(fake: FakeHttpServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True  # headers and body go out as separate writes
        server_version = f"{fake.name}/1.0"

        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            parts = urlsplit(self.path)
            request = ReceivedRequest(
                method=self.command,
                path=self.path,
                query=dict(parse_qsl(parts.query, keep_blank_values=True)),
                headers={k.lower(): v for k, v in self.headers.items()},
                body=body,
                at=fake.clock(),
            )
            reply = fake._dispatch(request)
            if reply is None:
                self.close_connection = True
                return
            if isinstance(reply.body, dict | list):
                data = json.dumps(reply.body, ensure_ascii=False).encode()
                content_type = "application/json;charset=utf-8"
            elif isinstance(reply.body, str):
                data = reply.body.encode()
                content_type = "text/html;charset=utf-8"
            else:
                data = reply.body or b""
                content_type = "application/octet-stream"
            try:
                self.send_response(reply.status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(data)))
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(data)
            except OSError:  # the client gave up (timed out) before the answer
                self.close_connection = True

        do_GET = do_POST = do_PUT = do_DELETE = _serve

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler

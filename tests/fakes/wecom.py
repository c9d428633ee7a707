"""A local WeCom (企业微信) that answers as WeCom does: group robots (/cgi-bin/webhook/send?key=…)
with their 20-a-minute limit, and a self-built app's messages (/cgi-bin/gettoken,
/cgi-bin/message/send)."""

import hmac
import itertools
import secrets
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from ._server import FakeHttpServer, ReceivedRequest, Reply

FREQUENCY_LIMIT = 45009
INVALID_WEBHOOK = 93000
INVALID_CREDENTIAL = 40001
INVALID_CORPID = 40013
INVALID_TOKEN = 40014
EXPIRED_TOKEN = 42001
INVALID_AGENTID = 40056
INVALID_PARAMETER = 40058
ALL_INVALID = 81013
LIMITS = {"text": 2048, "markdown": 4096}  # robot content, UTF-8 bytes


@dataclass
class FakeWeComRobot:
    key: str
    webhook_url: str
    messages: list[dict] = field(default_factory=list)
    sent_at: deque = field(default_factory=deque)


def _err(code: int, message: str, **extra: Any) -> Reply:
    return Reply(200, {"errcode": code, "errmsg": message, **extra})


def _robot_message_problem(body: dict) -> str | None:
    kind = body.get("msgtype")
    part = body.get(kind) if isinstance(kind, str) else None
    if kind not in ("text", "markdown", "image", "news", "file", "template_card") or not isinstance(
        part, dict
    ):
        return "invalid msgtype"
    if kind in LIMITS:
        content = part.get("content")
        if not isinstance(content, str) or not content:
            return "empty content"
        if len(content.encode()) > LIMITS[kind]:
            return "content exceed max length"
    if kind == "text":
        for name in ("mentioned_list", "mentioned_mobile_list"):
            if not isinstance(part.get(name, []), list):
                return f"invalid {name}"
    return None


def _app_message_problem(body: dict) -> str | None:
    kind = body.get("msgtype")
    part = body.get(kind) if isinstance(kind, str) else None
    if not isinstance(part, dict):
        return "invalid msgtype"
    required = {
        "text": ("content",),
        "textcard": ("title", "description", "url"),
        "markdown": ("content",),
    }.get(kind)
    if required is None:
        return "invalid msgtype"
    for name in required:
        if not part.get(name):
            return f"missing {kind}.{name}"
    if kind == "textcard" and (
        len(part["title"].encode()) > 128 or len(part["description"].encode()) > 512
    ):
        return "textcard exceed max length"
    return None


class FakeWeCom(FakeHttpServer):
    name = "fake-wecom"

    def __init__(
        self,
        *,
        clock: Callable[[], float] | None = None,
        hang_seconds: float = 30.0,
        rate_limit: int = 20,
        rate_window_seconds: float = 60,
        corp_id: str = "ww-fake-corp",
        corp_secret: str = "fake-corp-secret",  # noqa: S107 - a fake's own credential
        agent_id: str | int = "1000002",
        users: tuple[str, ...] = (),
        token_ttl_seconds: int = 7200,
    ) -> None:
        super().__init__(clock=clock, hang_seconds=hang_seconds)
        self.rate_limit = rate_limit
        self.rate_window_seconds = rate_window_seconds
        self.corp_id = corp_id
        self.corp_secret = corp_secret
        self.agent_id = str(agent_id)
        self.users = set(users)  # empty: every user id is known
        self.token_ttl_seconds = token_ttl_seconds
        self.robots: dict[str, FakeWeComRobot] = {}
        self.tokens: dict[str, float] = {}  # access_token -> expires_at
        self.app_messages: list[dict] = []  # accepted message/send bodies
        self._ids = itertools.count(1)

    def add_robot(self, key: str | None = None) -> FakeWeComRobot:
        key = key or secrets.token_hex(18)
        robot = FakeWeComRobot(key=key, webhook_url=self.robot_url(key))
        with self.lock:
            self.robots[key] = robot
        return robot

    def robot_url(self, key: str) -> str:
        return f"{self.url}/cgi-bin/webhook/send?key={key}"

    def expire_tokens(self) -> None:
        with self.lock:
            self.tokens.clear()

    def robot_messages(self, key: str | None = None) -> list[dict]:
        with self.lock:
            robots = [self.robots[key]] if key else list(self.robots.values())
            return [m for r in robots for m in r.messages]

    def token_requests(self) -> list[ReceivedRequest]:
        with self.lock:
            return [r for r in self.received if urlsplit(r.path).path == "/cgi-bin/gettoken"]

    def handle(self, request: ReceivedRequest) -> Reply:
        path = urlsplit(request.path).path
        if path == "/cgi-bin/webhook/send" and request.method == "POST":
            return self._robot_send(request)
        if path == "/cgi-bin/gettoken" and request.method == "GET":
            return self._gettoken(request)
        if path == "/cgi-bin/message/send" and request.method == "POST":
            return self._message_send(request)
        return Reply(404, "<html><body>404 Not Found</body></html>")

    def _robot_send(self, request: ReceivedRequest) -> Reply:
        robot = self.robots.get(request.query.get("key", ""))
        if robot is None:
            return _err(INVALID_WEBHOOK, "invalid webhook url, hint: [fake], from ip: 127.0.0.1")
        body = request.json
        if not isinstance(body, dict):
            return _err(INVALID_PARAMETER, "invalid json")
        problem = _robot_message_problem(body)
        if problem:
            return _err(INVALID_PARAMETER, problem)
        now = self.clock()
        while robot.sent_at and robot.sent_at[0] <= now - self.rate_window_seconds:
            robot.sent_at.popleft()
        if len(robot.sent_at) >= self.rate_limit:
            return _err(FREQUENCY_LIMIT, "api freq out of limit")
        robot.sent_at.append(now)
        robot.messages.append(body)
        return _err(0, "ok")

    def _gettoken(self, request: ReceivedRequest) -> Reply:
        if request.query.get("corpid") != self.corp_id:
            return _err(INVALID_CORPID, "invalid corpid")
        if not hmac.compare_digest(request.query.get("corpsecret", ""), self.corp_secret):
            return _err(INVALID_CREDENTIAL, "invalid credential")
        token = secrets.token_hex(16)
        self.tokens[token] = self.clock() + self.token_ttl_seconds
        return _err(0, "ok", access_token=token, expires_in=self.token_ttl_seconds)

    def _message_send(self, request: ReceivedRequest) -> Reply:
        token = request.query.get("access_token", "")
        if token not in self.tokens:
            return _err(INVALID_TOKEN, "invalid access_token")
        if self.clock() >= self.tokens[token]:
            return _err(EXPIRED_TOKEN, "access_token expired")
        body = request.json
        if not isinstance(body, dict):
            return _err(INVALID_PARAMETER, "invalid json")
        if str(body.get("agentid", "")) != self.agent_id:
            return _err(INVALID_AGENTID, "invalid agentid")
        problem = _app_message_problem(body)
        if problem:
            return _err(INVALID_PARAMETER, problem)
        wanted = [u for u in str(body.get("touser", "")).split("|") if u]
        invalid = [u for u in wanted if self.users and u not in self.users]
        if not wanted or len(invalid) == len(wanted):
            return _err(
                ALL_INVALID, "user & party & tag all invalid", invaliduser="|".join(invalid)
            )
        msgid = f"msg{next(self._ids)}"
        self.app_messages.append(body)
        return _err(0, "ok", invaliduser="|".join(invalid), msgid=msgid)

"""A local DingTalk that answers as DingTalk does: custom group robots (/robot/send) with
signature, keyword and rate checks, and an internal app's work notices (/gettoken and
/topapi/message/corpconversation/asyncsend_v2). It also plays the app's outgoing robot: a person
@-mentions the robot in a group, DingTalk posts a signed callback to the platform
(`callback_request` builds it, `play_callback` sends it) and takes the platform's answer through
the conversation's sessionWebhook (/robot/sendBySession, `session_messages`).

    with FakeDingTalk(clock=ManualClock()) as dt:
        robot = dt.add_robot(secret=FakeDingTalk.new_secret())
        ... post to robot.webhook_url (signing with robot.secret) ...
        dt.robot_messages(robot.token)
"""

import base64
import hashlib
import hmac
import itertools
import json
import secrets
import urllib.error
import urllib.request
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from ._server import FakeHttpServer, ReceivedRequest, Reply

TOO_FAST = 130101
TOKEN_NOT_EXIST = 300001
CHECK_FAILED = 310000  # sign, timestamp, keyword or IP whitelist
MISSING_PARAM = 40035
BAD_CREDENTIALS = 40089
AUTH_FAILED = 88


@dataclass
class FakeRobot:
    token: str
    secret: str
    keywords: tuple[str, ...]
    webhook_url: str
    messages: list[dict] = field(default_factory=list)  # accepted message bodies
    sent_at: deque = field(
        default_factory=deque
    )  # fake-clock times of accepted sends in the window
    blocked_until: float = 0.0


@dataclass
class FakeApp:
    app_key: str
    app_secret: str
    agent_id: str


def _err(code: int, message: str, **extra: Any) -> Reply:
    return Reply(200, {"errcode": code, "errmsg": message, **extra})


def expected_sign(secret: str, timestamp: str) -> str:
    digest = hmac.new(secret.encode(), f"{timestamp}\n{secret}".encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def _robot_message_problem(body: dict) -> str | None:
    """What DingTalk would refuse in a robot message, or None."""
    kind = body.get("msgtype")
    part = body.get(kind) if isinstance(kind, str) else None
    if not isinstance(part, dict):
        return "msgtype"
    required = {
        "text": ("content",),
        "markdown": ("title", "text"),
        "actionCard": ("title", "text"),
        "link": ("title", "text", "messageUrl"),
        "feedCard": ("links",),
    }.get(kind)
    if required is None:
        return "msgtype"
    for name in required:
        if not part.get(name):
            return f"{kind}.{name}"
    if kind == "actionCard" and not (
        (part.get("singleTitle") and part.get("singleURL")) or part.get("btns")
    ):
        return "actionCard.singleURL"
    at = body.get("at", {})
    if not isinstance(at, dict) or not all(
        isinstance(at.get(key, []), list) for key in ("atMobiles", "atUserIds")
    ):
        return "at"
    return None


def _work_notice_problem(msg: Any) -> str | None:
    if not isinstance(msg, dict):
        return "msg"
    kind = msg.get("msgtype")
    part = msg.get(kind) if isinstance(kind, str) else None
    if not isinstance(part, dict):
        return "msg.msgtype"
    required = {
        "text": ("content",),
        "markdown": ("title", "text"),
        "action_card": ("title", "markdown"),
        "link": ("title", "text", "messageUrl", "picUrl"),
        "oa": ("head", "body"),
    }.get(kind)
    if required is None:
        return "msg.msgtype"
    for name in required:
        if not part.get(name):
            return f"msg.{kind}.{name}"
    if kind == "action_card" and not (
        (part.get("single_title") and part.get("single_url")) or part.get("btn_json_list")
    ):
        return "msg.action_card.single_url"
    return None


class FakeDingTalk(FakeHttpServer):
    name = "fake-dingtalk"

    def __init__(
        self,
        *,
        clock: Callable[[], float] | None = None,
        hang_seconds: float = 30.0,
        rate_limit: int = 20,
        rate_window_seconds: float = 60,
        block_seconds: float = 600,
        timestamp_tolerance_seconds: float = 3600,
        token_ttl_seconds: int = 7200,
    ) -> None:
        super().__init__(clock=clock, hang_seconds=hang_seconds)
        self.rate_limit = rate_limit
        self.rate_window_seconds = rate_window_seconds
        self.block_seconds = block_seconds
        self.timestamp_tolerance_seconds = timestamp_tolerance_seconds
        self.token_ttl_seconds = token_ttl_seconds
        self.robots: dict[str, FakeRobot] = {}
        self.apps: dict[str, FakeApp] = {}
        self.tokens: dict[str, tuple[str, float]] = {}  # access_token -> (app_key, expires_at)
        self.work_notices: list[dict] = []  # accepted asyncsend_v2 bodies
        self.sessions: dict[str, dict[str, list[dict]]] = {}  # session key -> {"messages": [...]}
        self._ids = itertools.count(1)

    @staticmethod
    def new_secret() -> str:
        return "SEC" + secrets.token_hex(32)

    # configuration

    def add_robot(
        self, token: str | None = None, secret: str = "", keywords: tuple[str, ...] = ()
    ) -> FakeRobot:
        token = token or secrets.token_hex(32)
        robot = FakeRobot(
            token=token, secret=secret, keywords=tuple(keywords), webhook_url=self.robot_url(token)
        )
        with self.lock:
            self.robots[token] = robot
        return robot

    def robot_url(self, token: str) -> str:
        return f"{self.url}/robot/send?access_token={token}"

    def add_app(self, app_key: str, app_secret: str, agent_id: str | int) -> FakeApp:
        app = FakeApp(app_key, app_secret, str(agent_id))
        with self.lock:
            self.apps[app_key] = app
        return app

    def expire_tokens(self) -> None:
        with self.lock:
            self.tokens.clear()

    # the outgoing robot: callbacks to the platform and the answers through sessionWebhook

    def callback_request(
        self,
        *,
        app_secret: str,
        conversation_id: str,
        sender_staff_id: str,
        text: str,
        timestamp_ms: int | None = None,
        sign: str | None = None,
    ) -> tuple[dict[str, str], dict]:
        """(headers, body) of the callback DingTalk posts when a person @-mentions the robot."""
        timestamp = str(int(self.clock() * 1000) if timestamp_ms is None else timestamp_ms)
        session = secrets.token_hex(8)
        with self.lock:
            self.sessions[session] = {"messages": []}
        body = {
            "msgtype": "text",
            "text": {"content": f" {text}"},
            "msgId": f"msg{next(self._ids)}",
            "createAt": int(self.clock() * 1000),
            "conversationType": "2",
            "conversationId": conversation_id,
            "conversationTitle": "保障群",
            "senderId": f"$:LWCP_v1:${sender_staff_id}",
            "senderNick": sender_staff_id,
            "senderStaffId": sender_staff_id,
            "chatbotUserId": "$:LWCP_v1:$robot",
            "isAdmin": False,
            "sessionWebhook": f"{self.url}/robot/sendBySession?session={session}",
            "sessionWebhookExpiredTime": int((self.clock() + 5400) * 1000),
        }
        headers = {
            "timestamp": timestamp,
            "sign": expected_sign(app_secret, timestamp) if sign is None else sign,
        }
        return headers, body

    def play_callback(self, platform_url: str, **kwargs: Any) -> tuple[int, Any, list[dict]]:
        """Post a callback to the platform (its /api/im/dingtalk/callback URL) and return (status,
        parsed answer, the messages the platform then sent through the sessionWebhook)."""
        headers, body = self.callback_request(**kwargs)
        session = body["sessionWebhook"].rsplit("=", 1)[1]
        request = urllib.request.Request(
            platform_url,
            data=json.dumps(body, ensure_ascii=False).encode(),
            headers={"Content-Type": "application/json", **headers},
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 (local)
                status, answer = response.status, json.loads(response.read() or b"null")
        except urllib.error.HTTPError as exc:
            status, answer = exc.code, json.loads(exc.read() or b"null")
        return status, answer, self.session_messages(session)

    def session_messages(self, session: str | None = None) -> list[dict]:
        with self.lock:
            chosen = [self.sessions[session]] if session else list(self.sessions.values())
            return [m for s in chosen for m in s["messages"]]

    # what arrived

    def robot_messages(self, token: str | None = None) -> list[dict]:
        with self.lock:
            robots = [self.robots[token]] if token else list(self.robots.values())
            return [m for r in robots for m in r.messages]

    def token_requests(self) -> list[ReceivedRequest]:
        with self.lock:
            return [r for r in self.received if urlsplit(r.path).path == "/gettoken"]

    # the protocol

    def handle(self, request: ReceivedRequest) -> Reply:
        path = urlsplit(request.path).path
        if path == "/robot/send" and request.method == "POST":
            return self._robot_send(request)
        if path == "/robot/sendBySession" and request.method == "POST":
            return self._send_by_session(request)
        if path == "/gettoken" and request.method == "GET":
            return self._gettoken(request)
        if path == "/topapi/message/corpconversation/asyncsend_v2" and request.method == "POST":
            return self._asyncsend(request)
        return _err(404, "请求的URI地址不存在")

    def _robot_send(self, request: ReceivedRequest) -> Reply:
        robot = self.robots.get(request.query.get("access_token", ""))
        if robot is None:
            return _err(TOKEN_NOT_EXIST, "token is not exist")
        now = self.clock()
        if robot.secret:
            timestamp = request.query.get("timestamp", "")
            if (
                not timestamp.isdigit()
                or abs(now * 1000 - int(timestamp)) > self.timestamp_tolerance_seconds * 1000
            ):
                return _err(CHECK_FAILED, "invalid timestamp")
            # parse_qsl has already URL-decoded the sign, as DingTalk does.
            if not hmac.compare_digest(
                request.query.get("sign", ""), expected_sign(robot.secret, timestamp)
            ):
                return _err(CHECK_FAILED, "sign not match")
        body = request.json
        if not isinstance(body, dict):
            return _err(MISSING_PARAM, "缺少参数 json")
        problem = _robot_message_problem(body)
        if problem:
            return _err(MISSING_PARAM, f"缺少参数 {problem}")
        if robot.keywords:
            content = request.body.decode(errors="replace") + str(body)
            if not any(k in content for k in robot.keywords):
                return _err(CHECK_FAILED, "keywords not in content")
        if now < robot.blocked_until:
            return _err(TOO_FAST, "send too fast, exceed 20 times per minute")
        while robot.sent_at and robot.sent_at[0] <= now - self.rate_window_seconds:
            robot.sent_at.popleft()
        if len(robot.sent_at) >= self.rate_limit:
            robot.blocked_until = now + self.block_seconds
            return _err(TOO_FAST, "send too fast, exceed 20 times per minute")
        robot.sent_at.append(now)
        robot.messages.append(body)
        return _err(0, "ok")

    def _send_by_session(self, request: ReceivedRequest) -> Reply:
        session = self.sessions.get(request.query.get("session", ""))
        if session is None:
            return _err(TOKEN_NOT_EXIST, "session is not exist")
        body = request.json
        if not isinstance(body, dict):
            return _err(MISSING_PARAM, "缺少参数 json")
        problem = _robot_message_problem(body)
        if problem:
            return _err(MISSING_PARAM, f"缺少参数 {problem}")
        session["messages"].append(body)
        return _err(0, "ok")

    def _gettoken(self, request: ReceivedRequest) -> Reply:
        app = self.apps.get(request.query.get("appkey", ""))
        if app is None or not hmac.compare_digest(
            app.app_secret, request.query.get("appsecret", "")
        ):
            return _err(BAD_CREDENTIALS, "不合法的corpid或corpsecret")
        token = secrets.token_hex(16)
        self.tokens[token] = (app.app_key, self.clock() + self.token_ttl_seconds)
        return _err(0, "ok", access_token=token, expires_in=self.token_ttl_seconds)

    def _asyncsend(self, request: ReceivedRequest) -> Reply:
        entry = self.tokens.get(request.query.get("access_token", ""))
        if entry is None:
            return _err(
                AUTH_FAILED,
                "ding talk error[subcode=40014,submsg=不合法的access_token]",
                sub_code="40014",
                sub_msg="不合法的access_token",
            )
        app_key, expires_at = entry
        if self.clock() >= expires_at:
            return _err(
                AUTH_FAILED,
                "ding talk error[subcode=42001,submsg=access_token超时]",
                sub_code="42001",
                sub_msg="access_token超时",
            )
        body = request.json
        if not isinstance(body, dict):
            return _err(MISSING_PARAM, "缺少参数 json")
        if str(body.get("agent_id", "")) != self.apps[app_key].agent_id:
            return _err(
                AUTH_FAILED,
                "ding talk error[subcode=60011,submsg=没有调用该接口的权限]",
                sub_code="60011",
                sub_msg="没有调用该接口的权限",
            )
        users = body.get("userid_list")
        if not isinstance(users, str) or not users or len(users.split(",")) > 100:
            return _err(MISSING_PARAM, "缺少参数 userid_list")
        problem = _work_notice_problem(body.get("msg"))
        if problem:
            return _err(MISSING_PARAM, f"缺少参数 {problem}")
        task_id = next(self._ids)
        self.work_notices.append(body)
        return _err(0, "ok", task_id=task_id, request_id=f"req{task_id}")

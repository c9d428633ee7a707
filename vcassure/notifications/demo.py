"""Demo mode: the local fake DingTalk, WeCom, SMS gateway, OA and SMTP servers from tests/fakes,
started in this process so that a new user sees messages arrive without any outside service.

`start_demo_fakes()` starts them on 127.0.0.1 (ephemeral ports) and returns the settings values
that point the channels at them, plus robot webhook URLs and secrets for ImGroup rows. The page
/notifications/demo-inbox/ reads `running_fakes()` through `inbox_rows()`."""

import re
import secrets
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from django.conf import settings
from django.utils.translation import gettext_lazy as _

ROBOTS_PER_PLATFORM = 3
LOCAL_HOSTS = ("127.0.0.1", "localhost")
FAKE_LABELS = {
    "dingtalk": _("钉钉"),
    "wecom": _("企业微信"),
    "sms": _("短信网关"),
    "oa": _("OA"),
    "smtp": _("邮件(SMTP)"),
}

_lock = threading.Lock()
_running: dict[str, Any] = {}
_values: dict[str, str] = {}


def running_fakes() -> dict[str, Any]:
    """The fakes started in this process, by name ("dingtalk", "wecom", "sms", "oa", "smtp")."""
    with _lock:
        return dict(_running)


def start_demo_fakes(*, robots: int = ROBOTS_PER_PLATFORM) -> dict[str, str]:
    """Start every fake (once per process; a second call returns the same values).

    Returns DINGTALK_API_URL, DINGTALK_APP_KEY/_APP_SECRET/_AGENT_ID, WECOM_API_URL,
    WECOM_CORP_ID/_CORP_SECRET/_AGENT_ID, SMS_GATEWAY_URL, OA_WEBHOOK_URL and EMAIL_URL, and per
    robot DINGTALK_ROBOT_<n>_URL / DINGTALK_ROBOT_<n>_SECRET and WECOM_ROBOT_<n>_URL (n from 1)."""
    # The fakes (and aiosmtpd) are development dependencies: import them only when asked to.
    from tests.fakes import FakeDingTalk, FakeOa, FakeSmsGateway, FakeSmtp, FakeWeCom

    with _lock:
        if _running:
            return dict(_values)
        started: dict[str, Any] = {}
        try:
            app_key, app_secret, agent_id = "demo-app", secrets.token_hex(16), "100001"
            dingtalk = FakeDingTalk()
            dingtalk.add_app(app_key, app_secret, agent_id)
            started["dingtalk"] = dingtalk.start()
            wecom = FakeWeCom(
                corp_id="ww-demo", corp_secret=secrets.token_hex(16), agent_id="1000002"
            )
            started["wecom"] = wecom.start()
            started["sms"] = FakeSmsGateway().start()
            started["oa"] = FakeOa().start()
            started["smtp"] = FakeSmtp().start()
        except Exception:
            for fake in started.values():
                fake.stop()
            raise
        values = {
            "DINGTALK_API_URL": dingtalk.url,
            "DINGTALK_APP_KEY": app_key,
            "DINGTALK_APP_SECRET": app_secret,
            "DINGTALK_AGENT_ID": agent_id,
            "WECOM_API_URL": wecom.url,
            "WECOM_CORP_ID": wecom.corp_id,
            "WECOM_CORP_SECRET": wecom.corp_secret,
            "WECOM_AGENT_ID": wecom.agent_id,
            "SMS_GATEWAY_URL": started["sms"].send_url,
            "OA_WEBHOOK_URL": started["oa"].webhook_url,
            "EMAIL_URL": started["smtp"].url,
        }
        for n in range(1, robots + 1):
            robot = dingtalk.add_robot(secret=FakeDingTalk.new_secret())
            values[f"DINGTALK_ROBOT_{n}_URL"] = robot.webhook_url
            values[f"DINGTALK_ROBOT_{n}_SECRET"] = robot.secret
            values[f"WECOM_ROBOT_{n}_URL"] = wecom.add_robot().webhook_url
        _running.update(started)
        _values.update(values)
        return dict(values)


def allow_local_fakes() -> None:
    """Demo mode only: let robots and channels call the fakes on this machine (the outbound
    allowlist refuses local addresses otherwise)."""
    allowed = list(getattr(settings, "OUTBOUND_URL_ALLOWLIST", []))
    settings.OUTBOUND_URL_ALLOWLIST = allowed + [h for h in LOCAL_HOSTS if h not in allowed]


def stop_demo_fakes() -> None:
    with _lock:
        fakes = list(_running.values())
        _running.clear()
        _values.clear()
    for fake in fakes:
        fake.stop()


@dataclass
class InboxRow:
    """One message a fake received, as the demo inbox shows it."""

    fake: str  # the registry name
    channel: str  # a channel code (see forms.CHANNEL_LABELS) or "" when unknown
    at: datetime
    to: str
    title: str
    text: str
    accepted: bool
    answer: str = ""  # the fake's refusal, when it refused
    robot_key: str = ""  # DingTalk access_token / WeCom key: the view names the group
    links: list[str] = field(default_factory=list)  # the platform's own links in the message
    seq: int = 0
    channel_label: str = ""  # filled in by the view
    group_name: str = ""  # filled in by the view: the ImGroup the robot key belongs to


def _dict(value: Any) -> dict:
    return value if isinstance(value, dict) else {}


def _part(body: Any) -> dict:
    body = _dict(body)
    kind = body.get("msgtype")
    part = body.get(kind) if isinstance(kind, str) else None
    return _dict(part)


def _request_row(name: str, request: Any) -> InboxRow | None:
    path = urlsplit(request.path).path
    if path.endswith("gettoken"):
        return None  # credentials, not a message
    body, answer = _dict(request.json), _dict(request.answer)
    errcode = answer.get("errcode")
    row = InboxRow(
        fake=name,
        channel="",
        at=datetime.fromtimestamp(request.at, tz=UTC),
        to="",
        title="",
        text="",
        accepted=request.status == 200 and errcode == 0,
    )
    if path == "/robot/send":
        part = _part(body)
        row.channel, row.robot_key = "dingtalk_robot", request.query.get("access_token", "")
        row.title, row.text = part.get("title", ""), part.get("text") or part.get("content", "")
        mobiles = (body.get("at") or {}).get("atMobiles") or []
        row.to = " ".join(f"@{m}" for m in mobiles)
    elif path == "/topapi/message/corpconversation/asyncsend_v2":
        part = _part(body.get("msg"))
        row.channel, row.to = "dingtalk_work_notice", str(body.get("userid_list", ""))
        row.title = part.get("title", "")
        row.text = part.get("markdown") or part.get("text") or part.get("content", "")
    elif path == "/cgi-bin/webhook/send":
        part = _part(body)
        row.channel, row.robot_key = "wecom_robot", request.query.get("key", "")
        row.text = part.get("content", "")
        row.to = " ".join(f"@{m}" for m in part.get("mentioned_mobile_list") or [])
    elif path == "/cgi-bin/message/send":
        part = _part(body)
        row.channel, row.to = "wecom_app_message", str(body.get("touser", ""))
        row.title, row.text = (
            part.get("title", ""),
            part.get("description") or part.get("content", ""),
        )
    elif path == "/sms/send":
        row.channel, row.to, row.text = (
            "sms",
            str(body.get("mobile", "")),
            str(body.get("content", "")),
        )
        row.accepted = request.status == 200 and answer.get("code") in (0, "0", "OK")
    elif path == "/oa/todo":
        receiver = _dict(body.get("receiver"))
        row.channel, row.title, row.text = (
            "oa",
            str(body.get("title", "")),
            str(body.get("content", "")),
        )
        row.to = " ".join(
            str(v)
            for v in (receiver.get("name"), receiver.get("mobile") or receiver.get("email"))
            if v
        )
        row.accepted = request.status in (200, 201)
    else:
        row.title, row.text = (
            f"{request.method} {path}",
            request.body.decode(errors="replace")[:500],
        )
        row.accepted = 200 <= request.status < 300
    row.links = platform_links(body)
    if not row.accepted:
        row.answer = str(answer.get("errmsg") or answer.get("message") or answer or request.status)[
            :200
        ]
    return row


def _mail_row(name: str, mail: Any) -> InboxRow:
    return InboxRow(
        fake=name,
        channel="email",
        at=datetime.fromtimestamp(mail.at, tz=UTC),
        to=", ".join(mail.rcpt_tos),
        title=mail.subject,
        text=mail.text or mail.html,
        accepted=True,
        links=platform_links([mail.text, mail.html]),
    )


_URL = re.compile(r"https?://[^\s)\]\"'<>（）]+")


def platform_links(body: Any) -> list[str]:
    """Every link to this platform in a message body (JSON of any channel, or mail parts), in
    order, once each: the acknowledgement and dashboard links a person would tap."""
    found: list[str] = []

    def walk(value: Any) -> None:
        if isinstance(value, str):
            for url in _URL.findall(value):
                if url.startswith(settings.PUBLIC_BASE_URL) and url not in found:
                    found.append(url)
        elif isinstance(value, dict):
            for item in value.values():
                walk(item)
        elif isinstance(value, list | tuple):
            for item in value:
                walk(item)

    walk(body)
    return found


def inbox_rows(fakes: dict[str, Any], *, limit: int = 300) -> list[InboxRow]:
    """Every message the fakes received, newest first (at most `limit`)."""
    rows: list[InboxRow] = []
    for name, fake in fakes.items():
        lock = getattr(fake, "lock", None) or getattr(fake, "_lock", None)
        if lock is not None:
            with lock:
                received = list(fake.received)
        else:
            received = list(getattr(fake, "received", []))
        for item in received:
            row = _mail_row(name, item) if hasattr(item, "rcpt_tos") else _request_row(name, item)
            if row is not None:
                row.seq = len(rows)
                rows.append(row)
    rows.sort(key=lambda r: (r.at, r.seq), reverse=True)
    return rows[:limit]


def robot_key(webhook_url: str) -> str:
    """The token (DingTalk) or key (WeCom) in a robot's webhook URL."""
    query = dict(parse_qsl(urlsplit(webhook_url).query))
    return query.get("access_token") or query.get("key") or ""

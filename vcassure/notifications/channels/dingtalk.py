"""DingTalk: the custom group robot (signed webhook) and the work notice of an internal app.

DingTalk answers HTTP 200 for most failures; only `errcode: 0` in the body is a success."""

import base64
import hashlib
import hmac
from typing import Any
from urllib.parse import quote_plus

import httpx
from django.conf import settings

from vcassure.core import clock

from . import escaping
from ._http import (
    TokenCache,
    button_text,
    clip,
    json_object,
    provider_detail,
    request,
    status_failure,
    unexpected_body,
)
from .base import Message, SendResult, Target

PROVIDER = "DingTalk"
SYSTEM_BUSY = -1  # "系统繁忙": the documented advice is to try again later
ROBOT_TOO_FAST = 130101  # more than 20 messages a minute: the robot is then muted for 10 minutes
ROBOT_MUTED_SECONDS = 600
ROBOT_BAD_TARGET = {
    300001: "token does not exist",
    300005: "token does not exist (or the group is external)",
    310000: "signature, keyword or IP whitelist check failed",
}
AUTH_FAILED = 88  # details in sub_code
TOKEN_INVALID = {"40014", "42001"}  # invalid or expired access_token: fetch a new one once


def robot_sign(secret: str, timestamp_ms: int) -> str:
    """Base64 HMAC-SHA256 of "timestamp\\nsecret" keyed by the secret (not yet URL-encoded)."""
    digest = hmac.new(
        secret.encode(), f"{timestamp_ms}\n{secret}".encode(), hashlib.sha256
    ).digest()
    return base64.b64encode(digest).decode()


def robot_signed_url(webhook_url: str, secret: str, timestamp_ms: int) -> str:
    # Encoded by hand: a "+" left in the query would reach DingTalk as a space and fail the check.
    sign = quote_plus(robot_sign(secret, timestamp_ms))
    separator = "&" if "?" in webhook_url else "?"
    return f"{webhook_url}{separator}timestamp={timestamp_ms}&sign={sign}"


def _errcode(body: dict[str, Any]) -> int | None:
    try:
        return int(body["errcode"])
    except (KeyError, TypeError, ValueError):
        return None


def _error(body: dict[str, Any]) -> str:
    """The documented error fields only (errcode, sub_msg or errmsg), never the whole body."""
    detail = provider_detail(body.get("sub_msg") or body.get("errmsg"))
    return clip(f"{PROVIDER}: errcode {provider_detail(body.get('errcode'))}: {detail}")


def _markdown(message: Message) -> str:
    """A message's markdown as composed by the platform (people's text in it already escaped where
    it was put in), or its plain text escaped line by line."""
    return message.markdown or escaping.markdown_text(message.text)


def robot_payload(message: Message) -> dict[str, Any]:
    mentions = [*message.mention_mobiles, *message.mention_user_ids]
    text = _markdown(message)
    title = escaping.plain(message.title, multiline=False)
    # DingTalk only highlights (and notifies) an @mention that also appears in the text.
    missing = [f"@{m}" for m in mentions if f"@{m}" not in text]
    if missing:
        text = f"{text}\n\n{' '.join(missing)}"
    at = {
        "atMobiles": list(message.mention_mobiles),
        "atUserIds": list(message.mention_user_ids),
        "isAtAll": False,
    }
    if message.link_url:
        card = {
            "title": title,
            "text": text,
            "btnOrientation": "0",
            "singleTitle": button_text(message),
            "singleURL": message.link_url,
        }
        return {"msgtype": "actionCard", "actionCard": card, "at": at}
    return {"msgtype": "markdown", "markdown": {"title": title, "text": text}, "at": at}


def _robot_result(response: httpx.Response) -> SendResult:
    failure = status_failure(response, PROVIDER, ("errcode", "errmsg"))
    if failure:
        return failure
    body = json_object(response)
    code = None if body is None else _errcode(body)
    if body is None or code is None:
        return unexpected_body(response, PROVIDER)
    status = response.status_code
    if code == 0:
        return SendResult(ok=True, http_status=status)
    if code == ROBOT_TOO_FAST:
        return SendResult(
            ok=False,
            retryable=True,
            retry_after_seconds=ROBOT_MUTED_SECONDS,
            http_status=status,
            error=_error(body),
        )
    if code in ROBOT_BAD_TARGET:
        return SendResult(
            ok=False,
            retryable=False,
            permanent_target_failure=True,
            http_status=status,
            error=clip(f"{_error(body)} ({ROBOT_BAD_TARGET[code]})"),
        )
    return SendResult(
        ok=False, retryable=code == SYSTEM_BUSY, http_status=status, error=_error(body)
    )


class DingTalkRobotChannel:
    """A DingTalk group's custom robot: target.webhook_url carries the access_token and
    target.secret, when the robot has "加签" security, signs each request."""

    code = "dingtalk_robot"
    kind = "group"
    required_setting = ""  # group channels need a robot, not a setting
    address_field = ""
    ack_class = "im"

    def send(self, message: Message, target: Target) -> SendResult:
        if not target.webhook_url:
            return SendResult(
                ok=False,
                retryable=False,
                permanent_target_failure=True,
                error="DingTalk robot: no webhook URL is configured for this group",
            )
        url = target.webhook_url
        if target.secret:
            url = robot_signed_url(url, target.secret, int(clock.now().timestamp() * 1000))
        response = request("POST", url, json=robot_payload(message))
        if isinstance(response, SendResult):
            return response
        return _robot_result(response)


def work_notice_msg(message: Message) -> dict[str, Any]:
    text = _markdown(message)
    title = escaping.plain(message.title, multiline=False)
    if message.link_url:
        card = {
            "title": title,
            "markdown": text,
            "single_title": button_text(message),
            "single_url": message.link_url,
        }
        return {"msgtype": "action_card", "action_card": card}
    return {"msgtype": "markdown", "markdown": {"title": title, "text": text}}


def _token_invalid(body: dict[str, Any] | None) -> bool:
    if body is None:
        return False
    code = _errcode(body)
    return str(code) in TOKEN_INVALID or (
        code == AUTH_FAILED and str(body.get("sub_code")) in TOKEN_INVALID
    )


class DingTalkWorkNoticeChannel:
    """A personal work notice from the organisation's internal app (asyncsend_v2), to the
    recipient's DingTalk user id; the app's access_token is cached until it expires."""

    code = "dingtalk_work_notice"
    kind = "personal"
    required_setting = "DINGTALK_APP_KEY"  # the platform setting this channel needs
    address_field = "dingtalk_user_id"  # the Staff field it sends to
    ack_class = "im"

    def __init__(self) -> None:
        self._tokens = TokenCache()

    @staticmethod
    def _base() -> str:
        return settings.DINGTALK_API_URL.rstrip("/")

    def _fetch_token(self) -> tuple[str, int] | SendResult:
        response = request(
            "GET",
            f"{self._base()}/gettoken",
            params={"appkey": settings.DINGTALK_APP_KEY, "appsecret": settings.DINGTALK_APP_SECRET},
        )
        if isinstance(response, SendResult):
            return response
        failure = status_failure(response, PROVIDER, ("errcode", "errmsg"))
        if failure:
            return failure
        body = json_object(response)
        if body is None or _errcode(body) is None:
            return unexpected_body(response, PROVIDER)
        code = _errcode(body)
        if code != 0 or not body.get("access_token"):
            # A wrong app key or secret will not heal by itself; a busy system will.
            return SendResult(
                ok=False,
                retryable=code == SYSTEM_BUSY,
                http_status=response.status_code,
                error=clip(f"{PROVIDER} gettoken: {_error(body)}"),
            )
        return str(body["access_token"]), int(body.get("expires_in") or 7200)

    def send(self, message: Message, target: Target) -> SendResult:
        if not (
            settings.DINGTALK_APP_KEY
            and settings.DINGTALK_APP_SECRET
            and settings.DINGTALK_AGENT_ID
        ):
            return SendResult(
                ok=False,
                retryable=False,
                error="DingTalk work notice is not configured "
                "(DINGTALK_APP_KEY, DINGTALK_APP_SECRET, DINGTALK_AGENT_ID)",
            )
        user_id = target.recipient.dingtalk_user_id if target.recipient else ""
        if not user_id:
            return SendResult(
                ok=False,
                retryable=False,
                error="DingTalk work notice: this person's DingTalk user id is not configured",
            )
        agent_id = str(settings.DINGTALK_AGENT_ID)
        payload = {
            "agent_id": int(agent_id) if agent_id.isdigit() else agent_id,
            "userid_list": user_id,
            "msg": work_notice_msg(message),
        }
        for attempt in range(2):
            token = self._tokens.get(self._fetch_token)
            if isinstance(token, SendResult):
                return token
            response = request(
                "POST",
                f"{self._base()}/topapi/message/corpconversation/asyncsend_v2",
                params={"access_token": token},
                json=payload,
            )
            if isinstance(response, SendResult):
                return response
            body = json_object(response)
            if attempt == 0 and _token_invalid(body):
                self._tokens.forget(token)
                continue
            return self._result(response, body)
        return SendResult(ok=False, retryable=True, error="DingTalk: access_token refused twice")

    @staticmethod
    def _result(response: httpx.Response, body: dict[str, Any] | None) -> SendResult:
        failure = status_failure(response, PROVIDER, ("errcode", "errmsg"))
        if failure:
            return failure
        code = None if body is None else _errcode(body)
        if body is None or code is None:
            return unexpected_body(response, PROVIDER)
        if code == 0:
            return SendResult(
                ok=True, provider_ref=str(body.get("task_id", "")), http_status=response.status_code
            )
        return SendResult(
            ok=False,
            retryable=code == SYSTEM_BUSY or _token_invalid(body),
            http_status=response.status_code,
            error=_error(body),
        )

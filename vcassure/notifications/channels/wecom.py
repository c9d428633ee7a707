"""WeCom (企业微信): the group robot webhook and the application message of a self-built app.

Like DingTalk, WeCom answers HTTP 200 with an `errcode`; only 0 is a success."""

from typing import Any

import httpx
from django.conf import settings

from . import escaping
from ._http import (
    TokenCache,
    button_text,
    clip,
    clip_bytes,
    json_object,
    provider_detail,
    request,
    status_failure,
    unexpected_body,
    with_link,
)
from .base import Message, SendResult, Target

PROVIDER = "WeCom"
SYSTEM_BUSY = -1
FREQUENCY_LIMIT = 45009  # robot: 20 messages a minute; apps: API call frequency
ROBOT_RETRY_AFTER_SECONDS = 60
RETRYABLE = {SYSTEM_BUSY, FREQUENCY_LIMIT, 45033}  # 45033: too many concurrent calls
ROBOT_BAD_TARGET = {93000}  # invalid webhook URL or key
TOKEN_INVALID = {40014, 42001, 41001}  # invalid, expired, missing access_token
# Documented limits, in UTF-8 bytes.
ROBOT_TEXT_BYTES = 2048
ROBOT_MARKDOWN_BYTES = 4096
TEXTCARD_TITLE_BYTES = 128
TEXTCARD_DESCRIPTION_BYTES = 512
APP_TEXT_BYTES = 2048


def _errcode(body: dict[str, Any]) -> int | None:
    try:
        return int(body["errcode"])
    except (KeyError, TypeError, ValueError):
        return None


def _error(body: dict[str, Any]) -> str:
    """The documented error fields only (errcode, errmsg), never the whole body."""
    detail = provider_detail(body.get("errmsg"))
    return clip(f"{PROVIDER}: errcode {provider_detail(body.get('errcode'))}: {detail}")


def _body_or_failure(response: httpx.Response) -> dict[str, Any] | SendResult:
    failure = status_failure(response, PROVIDER, ("errcode", "errmsg"))
    if failure:
        return failure
    body = json_object(response)
    if body is None or _errcode(body) is None:
        return unexpected_body(response, PROVIDER)
    return body


def robot_payload(message: Message) -> dict[str, Any]:
    """Mentions by mobile exist only in text messages; markdown can mention user ids (<@id>)."""
    if message.mention_mobiles or not message.markdown:
        plain = escaping.plain(message.text) if message.text else message.markdown
        content = with_link(plain, message.link_url)
        text: dict[str, Any] = {"content": clip_bytes(content, ROBOT_TEXT_BYTES)}
        if message.mention_mobiles:
            text["mentioned_mobile_list"] = list(message.mention_mobiles)
        if message.mention_user_ids:
            text["mentioned_list"] = list(message.mention_user_ids)
        return {"msgtype": "text", "text": text}
    content = message.markdown
    if message.link_url and message.link_url not in content:
        content = f"{content}\n[{button_text(message)}]({message.link_url})"
    if message.mention_user_ids:
        content = f"{content}\n{' '.join(f'<@{u}>' for u in message.mention_user_ids)}"
    return {
        "msgtype": "markdown",
        "markdown": {"content": clip_bytes(content, ROBOT_MARKDOWN_BYTES)},
    }


class WeComRobotChannel:
    """A WeCom group robot: target.webhook_url is …/cgi-bin/webhook/send?key=…"""

    code = "wecom_robot"
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
                error="WeCom robot: no webhook URL is configured for this group",
            )
        response = request("POST", target.webhook_url, json=robot_payload(message))
        if isinstance(response, SendResult):
            return response
        body = _body_or_failure(response)
        if isinstance(body, SendResult):
            return body
        code = _errcode(body)
        status = response.status_code
        if code == 0:
            return SendResult(ok=True, http_status=status)
        if code == FREQUENCY_LIMIT:
            return SendResult(
                ok=False,
                retryable=True,
                retry_after_seconds=ROBOT_RETRY_AFTER_SECONDS,
                http_status=status,
                error=_error(body),
            )
        if code in ROBOT_BAD_TARGET:
            return SendResult(
                ok=False,
                retryable=False,
                permanent_target_failure=True,
                http_status=status,
                error=_error(body),
            )
        return SendResult(
            ok=False, retryable=code in RETRYABLE, http_status=status, error=_error(body)
        )


def _plain_body(message: Message) -> str:
    # Text cards render <div class="…"> and text messages <a href>: people's text is made plain.
    return escaping.plain(message.text) if message.text else escaping.plain(message.markdown)


def app_payload(message: Message, user_id: str, agent_id: str) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "touser": user_id,
        "agentid": int(agent_id) if agent_id.isdigit() else agent_id,
    }
    if message.link_url:
        payload["msgtype"] = "textcard"
        payload["textcard"] = {
            "title": clip_bytes(
                escaping.plain(message.title, multiline=False), TEXTCARD_TITLE_BYTES
            ),
            "description": clip_bytes(_plain_body(message), TEXTCARD_DESCRIPTION_BYTES),
            "url": message.link_url,
            "btntxt": button_text(message),
        }
    else:
        content = _plain_body(message)
        title = escaping.plain(message.title, multiline=False)
        if title and not content.startswith(title):
            content = f"{title}\n{content}"
        payload["msgtype"] = "text"
        payload["text"] = {"content": clip_bytes(content, APP_TEXT_BYTES)}
    return payload


class WeComAppMessageChannel:
    """A personal application message (message/send) to the recipient's WeCom user id; the
    app's access_token is cached until it expires."""

    code = "wecom_app_message"
    kind = "personal"
    required_setting = "WECOM_CORP_ID"  # the platform setting this channel needs
    address_field = "wecom_user_id"  # the Staff field it sends to
    ack_class = "im"

    def __init__(self) -> None:
        self._tokens = TokenCache()

    @staticmethod
    def _base() -> str:
        return settings.WECOM_API_URL.rstrip("/")

    def _fetch_token(self) -> tuple[str, int] | SendResult:
        response = request(
            "GET",
            f"{self._base()}/cgi-bin/gettoken",
            params={"corpid": settings.WECOM_CORP_ID, "corpsecret": settings.WECOM_CORP_SECRET},
        )
        if isinstance(response, SendResult):
            return response
        body = _body_or_failure(response)
        if isinstance(body, SendResult):
            return body
        code = _errcode(body)
        if code != 0 or not body.get("access_token"):
            return SendResult(
                ok=False,
                retryable=code in RETRYABLE,
                http_status=response.status_code,
                error=clip(f"{PROVIDER} gettoken: {_error(body)}"),
            )
        return str(body["access_token"]), int(body.get("expires_in") or 7200)

    def send(self, message: Message, target: Target) -> SendResult:
        if not (settings.WECOM_CORP_ID and settings.WECOM_CORP_SECRET and settings.WECOM_AGENT_ID):
            return SendResult(
                ok=False,
                retryable=False,
                error="WeCom app message is not configured (WECOM_CORP_ID, WECOM_CORP_SECRET, WECOM_AGENT_ID)",
            )
        user_id = target.recipient.wecom_user_id if target.recipient else ""
        if not user_id:
            return SendResult(
                ok=False,
                retryable=False,
                error="WeCom app message: this person's WeCom user id is not configured",
            )
        payload = app_payload(message, user_id, str(settings.WECOM_AGENT_ID))
        for attempt in range(2):
            token = self._tokens.get(self._fetch_token)
            if isinstance(token, SendResult):
                return token
            response = request(
                "POST",
                f"{self._base()}/cgi-bin/message/send",
                params={"access_token": token},
                json=payload,
            )
            if isinstance(response, SendResult):
                return response
            body = _body_or_failure(response)
            if isinstance(body, SendResult):
                return body
            code = _errcode(body)
            if code in TOKEN_INVALID and attempt == 0:
                self._tokens.forget(token)
                continue
            return self._result(response, body, user_id)
        return SendResult(ok=False, retryable=True, error="WeCom: access_token refused twice")

    @staticmethod
    def _result(response: httpx.Response, body: dict[str, Any], user_id: str) -> SendResult:
        code = _errcode(body)
        status = response.status_code
        invalid = {u for u in str(body.get("invaliduser") or "").split("|") if u}
        if code == 0 and user_id not in invalid:
            return SendResult(ok=True, provider_ref=str(body.get("msgid", "")), http_status=status)
        if code == 0:
            # WeCom reports unknown recipients with errcode 0 when others in the list were valid.
            return SendResult(
                ok=False,
                retryable=False,
                http_status=status,
                error=clip(f"{PROVIDER}: user {user_id} is not valid for this app (invaliduser)"),
            )
        return SendResult(
            ok=False,
            retryable=code in RETRYABLE or code in TOKEN_INVALID,
            http_status=status,
            error=_error(body),
        )

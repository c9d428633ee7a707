"""The Channel protocol: every way of reaching people is an adapter with `code` and `send()`.
Adapters never raise for provider problems: they map them to a SendResult that the outbox stores
as the attempt's outcome (retryable or not)."""

import threading
from dataclasses import dataclass, field
from typing import Any, Protocol

import httpx
from django.conf import settings
from django.utils.module_loading import import_string


@dataclass(frozen=True)
class Recipient:
    """One person as a channel sees them."""

    staff_id: int | None = None
    name: str = ""
    mobile: str = ""
    email: str = ""
    dingtalk_user_id: str = ""
    wecom_user_id: str = ""


@dataclass(frozen=True)
class Target:
    """Where a message goes: a group robot (webhook URL + secret) or a person."""

    webhook_url: str = ""
    secret: str = ""
    recipient: Recipient | None = None


@dataclass(frozen=True)
class Message:
    title: str
    text: str  # plain text (SMS, voice, text fallbacks)
    markdown: str = ""  # IM markdown / HTML-ish body
    html: str = ""  # email
    link_url: str = ""  # the acknowledgement link, when there is one
    mention_mobiles: tuple[str, ...] = ()
    mention_user_ids: tuple[str, ...] = ()
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class SendResult:
    ok: bool
    provider_ref: str = ""
    error: str = ""
    retryable: bool = True
    retry_after_seconds: int | None = None  # e.g. a robot blocked for 10 minutes after 130101
    permanent_target_failure: bool = False  # bad token/signature: alert the administrator
    http_status: int | None = None


class Channel(Protocol):
    code: str
    kind: str  # "group" (robot into an IM group) or "personal"
    ack_class: str  # "im" (10 minutes) or "office" (2 working hours) or "phone"
    required_setting: str  # personal channels: the setting that must be set for it to be used
    address_field: str  # personal channels: the Staff field it sends to ("" for group channels)

    def send(self, message: Message, target: Target) -> SendResult: ...


_client: httpx.Client | None = None
_lock = threading.Lock()


def http_client() -> httpx.Client:
    """One pooled client per process: a client per call costs ~23 ms of TLS set-up here."""
    global _client
    with _lock:
        if _client is None:
            _client = httpx.Client(
                timeout=httpx.Timeout(settings.NOTIFY_HTTP_TIMEOUT_SECONDS, connect=3.0),
                limits=httpx.Limits(max_connections=50, max_keepalive_connections=20),
                trust_env=False,
                follow_redirects=False,  # a 3xx is an answer, never a second request
            )
        return _client


_registry: dict[str, Channel] | None = None


def channel_registry() -> dict[str, Channel]:
    """Channels by code, built from settings.NOTIFICATION_CHANNELS (dotted class paths)."""
    global _registry
    with _lock:
        if _registry is None:
            built = {}
            for path in settings.NOTIFICATION_CHANNELS:
                channel = import_string(path)()
                built[channel.code] = channel
            _registry = built
        return _registry


def get_channel(code: str) -> Channel:
    return channel_registry()[code]


def reset_channels() -> None:
    """Forget built channels and the HTTP client (tests change settings between runs)."""
    global _registry, _client
    with _lock:
        _registry = None
        if _client is not None:
            _client.close()
        _client = None

"""What the HTTP adapters share: one request through the pooled client, with transport failures
and HTTP statuses mapped to SendResult the same way everywhere."""

import threading
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import httpx
from django.conf import settings
from django.utils.translation import gettext

from vcassure.core.outbound import ADDRESS, HOST, SCHEME, outbound_url_checked

from .base import Message, SendResult, http_client

ERROR_LIMIT = 500
DETAIL_LIMIT = 100  # of a provider's own error message
OUTBOUND_REFUSED = {
    SCHEME: "outbound URL refused: only http and https may be called",
    HOST: "outbound URL refused: the host is not on OUTBOUND_URL_ALLOWLIST",
    ADDRESS: "outbound URL refused: the host resolves to a private or reserved address",
}


def clip(text: str, limit: int = ERROR_LIMIT) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def request(method: str, url: str, **kwargs: Any) -> httpx.Response | SendResult:
    """The response, or a failed SendResult when the URL may not be called (nothing is sent) or
    the provider could not be reached (retryable).

    Error texts never contain the URL: webhook URLs carry access tokens and last_error is shown
    on the delivery log. Redirects are never followed: a 3xx is the provider's answer."""
    parsed, problem = outbound_url_checked(url, resolve=True)
    if problem is not None or parsed is None:
        return SendResult(
            ok=False,
            retryable=False,
            permanent_target_failure=True,
            error=OUTBOUND_REFUSED[problem or HOST],
        )
    try:
        # The URL as checked, its query parameters merged once: the client takes it as it is
        # (parsing the text again, with the parameters, cost more than the rest of the request).
        params = kwargs.pop("params", None)
        target = parsed.copy_merge_params(params) if params else parsed
        with host_slot(url):
            return http_client().request(method, target, follow_redirects=False, **kwargs)
    except httpx.TimeoutException as exc:
        return SendResult(ok=False, retryable=True, error=clip(f"timeout: {type(exc).__name__}"))
    except httpx.UnsupportedProtocol as exc:  # a misconfigured URL will not heal by retrying
        return SendResult(ok=False, retryable=False, error=clip(f"invalid URL: {exc}"))
    except httpx.TransportError as exc:
        return SendResult(
            ok=False, retryable=True, error=clip(f"network error: {type(exc).__name__}: {exc}")
        )
    except httpx.InvalidURL as exc:
        return SendResult(ok=False, retryable=False, error=clip(f"invalid URL: {exc}"))


_slots: dict[str, threading.BoundedSemaphore] = {}
_slots_lock = threading.Lock()


def host_slot(url: str) -> threading.BoundedSemaphore:
    """The bound on concurrent requests to one provider host (NOTIFY_SENDS_PER_HOST): the outbox
    sends on several threads, and a provider must not see more than that many at once from us."""
    key = urlsplit(url).netloc
    with _slots_lock:
        slot = _slots.get(key)
        if slot is None:
            slot = _slots[key] = threading.BoundedSemaphore(settings.NOTIFY_SENDS_PER_HOST)
        return slot


def retry_after(response: httpx.Response) -> int | None:
    value = response.headers.get("retry-after", "")
    return int(value) if value.isdigit() else None


def status_failure(
    response: httpx.Response, provider: str, documented: tuple[str, str] | None = None
) -> SendResult | None:
    """None for 2xx; otherwise the failure: 429 and 5xx are retryable, other statuses are not.

    The error is the status, plus the provider's documented (code, message) fields when its JSON
    body has them; the body itself is never kept (it may be any page of whatever answered)."""
    status = response.status_code
    if 200 <= status < 300:
        return None
    retryable = status == 429 or status >= 500
    error = f"{provider}: HTTP {status}"
    body = json_object(response) if documented else None
    if documented and body is not None and documented[0] in body:
        code, message = documented
        error += f": {code} {provider_detail(body.get(code))}: {provider_detail(body.get(message))}"
    return SendResult(
        ok=False,
        retryable=retryable,
        retry_after_seconds=retry_after(response) if retryable else None,
        http_status=status,
        error=clip(error),
    )


def json_object(response: httpx.Response) -> dict[str, Any] | None:
    try:
        body = response.json()
    except ValueError:
        return None
    return body if isinstance(body, dict) else None


def unexpected_body(response: httpx.Response, provider: str) -> SendResult:
    # A 2xx that is not the provider's JSON is usually a proxy or gateway page: try again later.
    # Its body is not kept: whatever answered is not the provider, and last_error is shown.
    return SendResult(
        ok=False,
        retryable=True,
        http_status=response.status_code,
        error=f"{provider}: unexpected response (HTTP {response.status_code})",
    )


def provider_detail(value: Any) -> str:
    """A provider's documented error message (errmsg, message), kept short and on one line: a
    reply is stored as a code and this, never as the raw body."""
    text = " ".join(str(value or "").split())
    return clip(text, DETAIL_LIMIT)


def with_link(text: str, link_url: str) -> str:
    """Plain-text bodies carry the acknowledgement link themselves."""
    if link_url and link_url not in text:
        return f"{text}\n{link_url}" if text else link_url
    return text


def button_text(message: Message) -> str:
    """The label of a card's button (the link is the acknowledgement link)."""
    return message.extra.get("button_text") or gettext("确认收到")


def clip_bytes(text: str, limit: int) -> str:
    """Cut to at most `limit` UTF-8 bytes without splitting a character (WeCom counts bytes)."""
    data = text.encode()
    if len(data) <= limit:
        return text
    return data[: limit - 3].decode(errors="ignore") + "…"


class TokenCache:
    """An access token kept until shortly before it expires (DingTalk and WeCom hand out
    7,200-second tokens and rate-limit gettoken, so it must not be fetched per message)."""

    MARGIN_SECONDS = 300

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._token = ""
        self._expires_at = 0.0

    def get(self, fetch: Callable[[], tuple[str, int] | SendResult]) -> str | SendResult:
        with self._lock:
            if self._token and time.monotonic() < self._expires_at:
                return self._token
            fetched = fetch()
            if isinstance(fetched, SendResult):
                return fetched
            token, expires_in = fetched
            self._token = token
            self._expires_at = time.monotonic() + max(expires_in - self.MARGIN_SECONDS, 60)
            return token

    def forget(self, token: str) -> None:
        with self._lock:
            if self._token == token:
                self._token = ""

"""SMS: a generic HTTP gateway, and Aliyun's SMS service (Dysmsapi SendSms).

The generic gateway contract (SMS_GATEWAY_URL). An intranet deployment points SMS_GATEWAY_URL at
its own gateway, which forwards to the carrier's SMS platform; anything that speaks this contract
works:

    POST <SMS_GATEWAY_URL>
    Content-Type: application/json
    {"mobile": "13800000000", "content": "…the text, with the acknowledgement link…",
     "ref": "<our reference for this delivery, for the gateway's logs; may be empty>"}

    2xx {"code": 0, "id": "<the gateway's message id>"}   accepted ("code": "OK" also accepted;
                                                          "message_id" or "msg_id" for the id)
    2xx {"code": <anything else>, "message": "…"}          refused for good
    429 or 5xx                                             try again later (Retry-After honoured)
    other 4xx                                              refused for good (bad number, bad auth)

Credentials, when the gateway needs them, go in the URL (https://user:password@gateway/sms is
sent as HTTP Basic authentication).

Aliyun goes through Aliyun's official SDK (alibabacloud-dysmsapi20170525), pointed at
ALIYUN_SMS_ENDPOINT so that an intranet gateway or the local fake can stand in for Aliyun. The
SDK signs the request (ACS3-HMAC-SHA256) and keeps its own connection pool; errors it raises are
mapped to SendResult here. The template registered with Aliyun (ALIYUN_SMS_TEMPLATE_CODE) gets
the parameters ${title}, ${content} and ${url}.
"""

import json
import threading
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings

from . import escaping
from ._http import (
    clip,
    json_object,
    provider_detail,
    request,
    status_failure,
    unexpected_body,
    with_link,
)
from .base import Message, SendResult, Target

PROVIDER = "SMS gateway"
ALIYUN = "Aliyun"
GATEWAY_OK = {0, "0", "OK", "ok"}
# Aliyun's answer codes: "OK"; isv.BUSINESS_LIMIT_CONTROL is flow control per number (1 a
# minute by default), worth retrying; other isv.* are our mistakes (signature name, template,
# number) and final; isp.* are Aliyun's own transient errors.
ALIYUN_BUSINESS_LIMIT = "isv.BUSINESS_LIMIT_CONTROL"
ALIYUN_LIMIT_RETRY_AFTER_SECONDS = 60
# Aliyun refuses a template variable longer than this (isv.PARAM_LENGTH_LIMIT): cut it instead.
ALIYUN_PARAM_MAX_CHARS = 35


def not_configured(what: str) -> SendResult:
    return SendResult(ok=False, retryable=False, error=f"{what} is not configured")


def recipient_mobile(target: Target) -> str:
    return target.recipient.mobile if target.recipient else ""


class HttpSmsChannel:
    """SMS through the generic HTTP gateway described in this module's docstring."""

    code = "sms"
    kind = "personal"
    required_setting = "SMS_GATEWAY_URL"  # the platform setting this channel needs
    address_field = "mobile"  # the Staff field it sends to
    ack_class = "office"

    def send(self, message: Message, target: Target) -> SendResult:
        if not settings.SMS_GATEWAY_URL:
            return not_configured("SMS gateway (SMS_GATEWAY_URL)")
        mobile = recipient_mobile(target)
        if not mobile:
            return SendResult(
                ok=False,
                retryable=False,
                error="SMS: this person's mobile number is not configured",
            )
        payload = {
            "mobile": mobile,
            "content": with_link(escaping.sms(message.text or message.title), message.link_url),
            "ref": str(message.extra.get("ref", "")),
        }
        response = request("POST", settings.SMS_GATEWAY_URL, json=payload)
        if isinstance(response, SendResult):
            return response
        failure = status_failure(response, PROVIDER, ("code", "message"))
        if failure:
            return failure
        body = json_object(response)
        if body is None or "code" not in body:
            return unexpected_body(response, PROVIDER)
        if body["code"] in GATEWAY_OK:
            ref = body.get("id") or body.get("message_id") or body.get("msg_id") or ""
            return SendResult(ok=True, provider_ref=str(ref), http_status=response.status_code)
        return SendResult(
            ok=False,
            retryable=False,
            http_status=response.status_code,
            error=clip(
                f"{PROVIDER}: code {provider_detail(body['code'])}: "
                f"{provider_detail(body.get('message'))}"
            ),
        )


# Aliyun, shared with the voice channel.


def aliyun_configured() -> bool:
    return bool(settings.ALIYUN_ACCESS_KEY_ID and settings.ALIYUN_ACCESS_KEY_SECRET)


def aliyun_sdk_config(endpoint_url: str) -> Any:
    from alibabacloud_tea_openapi.utils_models import Config

    parts = urlsplit(endpoint_url if "://" in endpoint_url else f"https://{endpoint_url}")
    return Config(
        access_key_id=settings.ALIYUN_ACCESS_KEY_ID,
        access_key_secret=settings.ALIYUN_ACCESS_KEY_SECRET,
        endpoint=parts.netloc,
        protocol=parts.scheme or "https",
    )


def aliyun_runtime() -> Any:
    from darabonba.runtime import RuntimeOptions

    # The outbox retries with backoff; the SDK must not retry on its own.
    return RuntimeOptions(
        autoretry=False,
        connect_timeout=3000,
        read_timeout=int(settings.NOTIFY_HTTP_TIMEOUT_SECONDS * 1000),
    )


def aliyun_call(call: Callable[[], Any], ref_field: str) -> SendResult:
    """Run one SDK call and map its outcome (body Code, or the exception) to a SendResult."""
    from alibabacloud_tea_openapi.exceptions import AlibabaCloudException, ThrottlingException
    from darabonba.exceptions import UnretryableException, ValidateException
    from Tea.exceptions import TeaException
    from Tea.exceptions import ValidateException as TeaValidateException

    try:
        response = call()
    except ThrottlingException as exc:
        return SendResult(
            ok=False, retryable=True, http_status=exc.status_code, error=_aliyun_error(exc)
        )
    except AlibabaCloudException as exc:
        # 4xx: bad key, signature, parameters; 5xx: Aliyun's side. Throttling may come as a 4xx.
        status = exc.status_code or 0
        retryable = status >= 500 or status == 429 or str(exc.code or "").startswith("Throttling")
        return SendResult(
            ok=False, retryable=retryable, http_status=status or None, error=_aliyun_error(exc)
        )
    except UnretryableException as exc:
        # The SDK's wrapper around transport failures (refused, reset, timeout, unreadable body).
        inner = getattr(exc, "inner_exception", None) or exc
        return SendResult(
            ok=False,
            retryable=True,
            error=clip(f"{ALIYUN}: network error: {type(inner).__name__}: {inner}"),
        )
    except (
        TeaException,
        TeaValidateException,
        ValidateException,
    ) as exc:  # the SDK's checks of the request itself
        return SendResult(ok=False, retryable=False, error=clip(f"{ALIYUN}: {exc}"))
    body = response.body.to_map() if response.body is not None else {}
    code = str(body.get("Code", ""))
    status = response.status_code
    if code == "OK":
        return SendResult(ok=True, provider_ref=str(body.get(ref_field) or ""), http_status=status)
    error = clip(f"{ALIYUN}: {provider_detail(code)}: {provider_detail(body.get('Message'))}")
    if code == ALIYUN_BUSINESS_LIMIT:
        return SendResult(
            ok=False,
            retryable=True,
            retry_after_seconds=ALIYUN_LIMIT_RETRY_AFTER_SECONDS,
            http_status=status,
            error=error,
        )
    return SendResult(ok=False, retryable=code.startswith("isp."), http_status=status, error=error)


def _aliyun_error(exc: Any) -> str:
    return clip(f"{ALIYUN}: {provider_detail(exc.code)}: {provider_detail(exc.message)}")


class AliyunSdkClient:
    """One SDK client per channel instance, built on first use (importing the SDK is slow and
    most deployments never use it)."""

    def __init__(self, client_path: str, endpoint_setting: str) -> None:
        self._client_path = client_path
        self._endpoint_setting = endpoint_setting
        self._client: Any = None
        self._lock = threading.Lock()

    def get(self) -> Any:
        with self._lock:
            if self._client is None:
                from django.utils.module_loading import import_string

                client_class = import_string(self._client_path)
                self._client = client_class(
                    aliyun_sdk_config(getattr(settings, self._endpoint_setting))
                )
            return self._client


class AliyunSmsChannel:
    """SMS through Aliyun's SendSms with the configured signature and template."""

    code = "aliyun_sms"
    kind = "personal"
    required_setting = "ALIYUN_ACCESS_KEY_ID"  # the platform setting this channel needs
    address_field = "mobile"  # the Staff field it sends to
    ack_class = "office"

    def __init__(self) -> None:
        self._sdk = AliyunSdkClient(
            "alibabacloud_dysmsapi20170525.client.Client", "ALIYUN_SMS_ENDPOINT"
        )

    def send(self, message: Message, target: Target) -> SendResult:
        if not (
            aliyun_configured()
            and settings.ALIYUN_SMS_SIGN_NAME
            and settings.ALIYUN_SMS_TEMPLATE_CODE
        ):
            return not_configured(
                "Aliyun SMS (ALIYUN_ACCESS_KEY_ID, ALIYUN_ACCESS_KEY_SECRET, "
                "ALIYUN_SMS_SIGN_NAME, ALIYUN_SMS_TEMPLATE_CODE)"
            )
        mobile = recipient_mobile(target)
        if not mobile:
            return SendResult(
                ok=False,
                retryable=False,
                error="SMS: this person's mobile number is not configured",
            )
        from alibabacloud_dysmsapi20170525.models import SendSmsRequest

        params = {
            "title": escaping.sms(message.title, limit=ALIYUN_PARAM_MAX_CHARS, multiline=False),
            "content": escaping.sms(
                message.text or message.title, limit=ALIYUN_PARAM_MAX_CHARS, multiline=False
            ),
            "url": message.link_url,
        }
        sms = SendSmsRequest(
            phone_numbers=mobile,
            sign_name=settings.ALIYUN_SMS_SIGN_NAME,
            template_code=settings.ALIYUN_SMS_TEMPLATE_CODE,
            template_param=json.dumps(params, ensure_ascii=False),
            out_id=str(message.extra.get("ref", "")) or None,
        )
        client = self._sdk.get()
        return aliyun_call(lambda: client.send_sms_with_options(sms, aliyun_runtime()), "BizId")

"""Local SMS and voice providers.

FakeSmsGateway speaks the generic gateway contract of vcassure/notifications/channels/sms.py.
FakeAliyun speaks Aliyun's RPC-style OpenAPI for Dysmsapi SendSms and Dyvmsapi SingleCallByTts
(one server can stand in for both endpoints). It verifies the request signature as Aliyun does:
the V3 scheme (ACS3-HMAC-SHA256 in the Authorization header, what the current official SDK
sends) and the older RPC scheme (HMAC-SHA1 in the Signature parameter), the x-acs-date or
Timestamp within 15 minutes, and each signature nonce used once."""

import base64
import hashlib
import hmac
import itertools
import json
import re
import time
from collections import defaultdict, deque
from collections.abc import Callable
from datetime import UTC, datetime
from urllib.parse import parse_qsl, quote, urlsplit

from ._server import FakeHttpServer, ReceivedRequest, Reply

MOBILE = re.compile(r"^(\+?86)?1\d{10}$")


class FakeSmsGateway(FakeHttpServer):
    """POST {"mobile", "content", "ref"} → {"code": 0, "id"}; bad input → 400."""

    name = "fake-sms-gateway"
    path = "/sms/send"

    def __init__(
        self,
        *,
        clock: Callable[[], float] | None = None,
        hang_seconds: float = 30.0,
        basic_auth: tuple[str, str] | None = None,
        dedupe_ref: bool = False,
        delay_seconds: float = 0.0,
    ) -> None:
        super().__init__(clock=clock, hang_seconds=hang_seconds)
        self.basic_auth = basic_auth
        self.messages: list[dict] = []
        # dedupe_ref: a repeated non-empty "ref" is answered with the first message's id and not
        # delivered again (kept in .repeats), as a gateway that deduplicates on it would.
        self.dedupe_ref = dedupe_ref
        self.repeats: list[dict] = []
        self._by_ref: dict[str, str] = {}
        self.delay_seconds = delay_seconds  # a slow gateway: each answer waits this long
        self._ids = itertools.count(1)

    @property
    def send_url(self) -> str:
        if self.basic_auth:
            user, password = self.basic_auth
            return f"http://{quote(user)}:{quote(password)}@127.0.0.1:{self.port}{self.path}"
        return f"{self.url}{self.path}"

    def _dispatch(self, request: ReceivedRequest) -> Reply | None:
        if self.delay_seconds:
            time.sleep(self.delay_seconds)  # outside the lock: concurrent requests wait together
        return super()._dispatch(request)

    def handle(self, request: ReceivedRequest) -> Reply:
        if urlsplit(request.path).path != self.path or request.method != "POST":
            return Reply(404, {"code": "NOT_FOUND", "message": "no such endpoint"})
        if self.basic_auth:
            expected = base64.b64encode(":".join(self.basic_auth).encode()).decode()
            if request.headers.get("authorization") != f"Basic {expected}":
                return Reply(401, {"code": "UNAUTHORIZED", "message": "bad credentials"})
        body = request.json
        if not isinstance(body, dict):
            return Reply(400, {"code": "BAD_REQUEST", "message": "JSON object expected"})
        if not MOBILE.match(str(body.get("mobile", ""))):
            return Reply(
                400, {"code": "INVALID_MOBILE", "message": "mobile is not a mainland mobile number"}
            )
        content = body.get("content")
        if not isinstance(content, str) or not content or len(content) > 1000:
            return Reply(
                400, {"code": "INVALID_CONTENT", "message": "content must be 1-1000 characters"}
            )
        ref = str(body.get("ref") or "")
        if self.dedupe_ref and ref in self._by_ref:
            self.repeats.append(body)
            return Reply(200, {"code": 0, "message": "duplicate ref", "id": self._by_ref[ref]})
        message_id = f"sms{next(self._ids)}"
        self.messages.append(body)
        if ref:
            self._by_ref[ref] = message_id
        return Reply(200, {"code": 0, "message": "ok", "id": message_id})


def _pe(value: str) -> str:
    """Aliyun's percent-encoding: RFC 3986 unreserved characters stay, everything else is %XX."""
    return quote(value, safe="~")


class FakeAliyun(FakeHttpServer):
    name = "fake-aliyun"
    VERSION = "2017-05-25"
    SKEW_SECONDS = 15 * 60

    def __init__(
        self,
        *,
        clock: Callable[[], float] | None = None,
        hang_seconds: float = 30.0,
        access_keys: dict[str, str] | None = None,
        sign_names: tuple[str, ...] = (),
        template_codes: tuple[str, ...] = (),
        tts_codes: tuple[str, ...] = (),
        per_number_per_minute: int | None = None,
    ) -> None:
        super().__init__(clock=clock, hang_seconds=hang_seconds)
        self.access_keys = dict(access_keys or {"fake-access-key-id": "fake-access-key-secret"})
        self.sign_names = set(sign_names)  # empty: any
        self.template_codes = set(template_codes)
        self.tts_codes = set(tts_codes)
        self.per_number_per_minute = per_number_per_minute
        self.sms: list[dict[str, str]] = []  # accepted SendSms parameters
        self.calls: list[dict[str, str]] = []  # accepted SingleCallByTts parameters
        self.signature_schemes: list[
            str
        ] = []  # per accepted request: "ACS3-HMAC-SHA256" or "HMAC-SHA1"
        self._nonces: set[str] = set()
        self._sent_to: dict[str, deque] = defaultdict(deque)
        self._ids = itertools.count(1)

    def _error(self, status: int, code: str, message: str) -> Reply:
        return Reply(
            status, {"RequestId": f"fake-{next(self._ids)}", "Code": code, "Message": message}
        )

    def handle(self, request: ReceivedRequest) -> Reply:
        if urlsplit(request.path).path != "/" or request.method not in ("GET", "POST"):
            return self._error(404, "InvalidAction.NotFound", "Specified api is not found")
        params = {**request.query, **request.form} if request.body else dict(request.query)
        if request.headers.get("authorization", "").startswith("ACS3-"):
            checked = self._check_v3(request)
            scheme = "ACS3-HMAC-SHA256"
        else:
            checked = self._check_rpc(request, params)
            scheme = "HMAC-SHA1"
        if isinstance(checked, Reply):
            return checked
        action, version = checked
        if version != self.VERSION:
            return self._error(400, "InvalidVersion", "Specified parameter Version is not valid.")
        if action == "SendSms":
            reply = self._send_sms(params)
        elif action == "SingleCallByTts":
            reply = self._single_call(params)
        else:
            return self._error(
                404, "InvalidAction.NotFound", f"Specified api is not found: {action}"
            )
        if reply.body.get("Code") == "OK":
            self.signature_schemes.append(scheme)
        return reply

    # signatures

    def _fresh(self, when: datetime, nonce: str) -> Reply | None:
        if abs(when.timestamp() - self.clock()) > self.SKEW_SECONDS:
            return self._error(
                400, "InvalidTimeStamp.Expired", "Specified time stamp or date value is expired."
            )
        if not nonce or nonce in self._nonces:
            return self._error(
                400, "SignatureNonceUsed", "Specified signature nonce was used already."
            )
        self._nonces.add(nonce)
        return None

    def _check_v3(self, request: ReceivedRequest) -> tuple[str, str] | Reply:
        header = request.headers["authorization"]
        algorithm, _, rest = header.partition(" ")
        fields = dict(part.strip().split("=", 1) for part in rest.split(",") if "=" in part)
        if (
            algorithm != "ACS3-HMAC-SHA256"
            or not {"Credential", "SignedHeaders", "Signature"} <= fields.keys()
        ):
            return self._error(
                400,
                "IncompleteSignature",
                "The request signature does not conform to Aliyun standards.",
            )
        secret = self.access_keys.get(fields["Credential"])
        if secret is None:
            return self._error(
                404, "InvalidAccessKeyId.NotFound", "Specified access key is not found."
            )
        signed = fields["SignedHeaders"].split(";")
        headers = request.headers
        needed = {
            "host",
            "x-acs-action",
            "x-acs-version",
            "x-acs-date",
            "x-acs-signature-nonce",
            "x-acs-content-sha256",
        }
        if not needed <= set(signed):
            return self._error(400, "IncompleteSignature", "Required headers are not signed.")
        payload_hash = hashlib.sha256(request.body).hexdigest()
        if headers.get("x-acs-content-sha256") != payload_hash:
            return self._error(
                400, "SignatureDoesNotMatch", "x-acs-content-sha256 does not match the body."
            )
        pairs = sorted(parse_qsl(request.raw_query, keep_blank_values=True))
        canonical_query = "&".join(f"{_pe(k)}={_pe(v)}" for k, v in pairs)
        canonical_headers = "".join(
            f"{name}:{headers.get(name, '').strip()}\n" for name in sorted(signed)
        )
        canonical_request = "\n".join(
            [
                request.method,
                urlsplit(request.path).path or "/",
                canonical_query,
                canonical_headers,
                ";".join(sorted(signed)),
                payload_hash,
            ]
        )
        to_sign = f"ACS3-HMAC-SHA256\n{hashlib.sha256(canonical_request.encode()).hexdigest()}"
        expected = hmac.new(secret.encode(), to_sign.encode(), hashlib.sha256).hexdigest()
        if not hmac.compare_digest(expected, fields["Signature"]):
            return self._error(
                400,
                "SignatureDoesNotMatch",
                "Specified signature is not matched with our calculation.",
            )
        try:
            when = datetime.strptime(headers["x-acs-date"], "%Y-%m-%dT%H:%M:%SZ").replace(
                tzinfo=UTC
            )
        except ValueError:
            return self._error(
                400,
                "InvalidTimeStamp.Format",
                "Specified time stamp or date value is not well formatted.",
            )
        stale = self._fresh(when, headers.get("x-acs-signature-nonce", ""))
        if stale:
            return stale
        return headers["x-acs-action"], headers["x-acs-version"]

    def _check_rpc(
        self, request: ReceivedRequest, params: dict[str, str]
    ) -> tuple[str, str] | Reply:
        for name in (
            "AccessKeyId",
            "Signature",
            "SignatureMethod",
            "SignatureNonce",
            "Timestamp",
            "Action",
            "Version",
        ):
            if not params.get(name):
                return self._error(
                    400,
                    "MissingParameter",
                    f"The input parameter {name} that is mandatory is not supplied.",
                )
        secret = self.access_keys.get(params["AccessKeyId"])
        if secret is None:
            return self._error(
                404, "InvalidAccessKeyId.NotFound", "Specified access key is not found."
            )
        if params["SignatureMethod"] != "HMAC-SHA1":
            return self._error(
                400, "InvalidSignatureMethod", "Specified signature method is not supported."
            )
        canonical = "&".join(
            f"{_pe(k)}={_pe(v)}" for k, v in sorted(params.items()) if k != "Signature"
        )
        to_sign = f"{request.method}&{_pe('/')}&{_pe(canonical)}"
        digest = hmac.new(f"{secret}&".encode(), to_sign.encode(), hashlib.sha1).digest()
        if not hmac.compare_digest(base64.b64encode(digest).decode(), params["Signature"]):
            return self._error(
                400,
                "SignatureDoesNotMatch",
                "Specified signature is not matched with our calculation.",
            )
        try:
            when = datetime.strptime(params["Timestamp"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
        except ValueError:
            return self._error(
                400,
                "InvalidTimeStamp.Format",
                "Specified time stamp or date value is not well formatted.",
            )
        stale = self._fresh(when, params["SignatureNonce"])
        if stale:
            return stale
        return params["Action"], params["Version"]

    # actions

    def _business(self, code: str, message: str) -> Reply:
        return Reply(
            200, {"RequestId": f"fake-{next(self._ids)}", "Code": code, "Message": message}
        )

    def _json_param(self, params: dict[str, str], name: str) -> bool:
        try:
            return isinstance(json.loads(params.get(name) or "{}"), dict)
        except ValueError:
            return False

    def _limited(self, number: str) -> bool:
        if self.per_number_per_minute is None:
            return False
        now, sent = self.clock(), self._sent_to[number]
        while sent and sent[0] <= now - 60:
            sent.popleft()
        if len(sent) >= self.per_number_per_minute:
            return True
        sent.append(now)
        return False

    def _send_sms(self, params: dict[str, str]) -> Reply:
        numbers = [n for n in params.get("PhoneNumbers", "").split(",") if n]
        if not numbers or not all(MOBILE.match(n) for n in numbers):
            return self._business("isv.MOBILE_NUMBER_ILLEGAL", "非法手机号")
        if not params.get("SignName") or (
            self.sign_names and params["SignName"] not in self.sign_names
        ):
            return self._business("isv.SMS_SIGNATURE_ILLEGAL", "该账号下找不到对应签名")
        if not params.get("TemplateCode") or (
            self.template_codes and params["TemplateCode"] not in self.template_codes
        ):
            return self._business("isv.SMS_TEMPLATE_ILLEGAL", "该账号下找不到对应模板")
        if not self._json_param(params, "TemplateParam"):
            return self._business("isv.INVALID_JSON_PARAM", "JSON参数不合法，只接受字符串值")
        if any(self._limited(n) for n in numbers):
            return self._business("isv.BUSINESS_LIMIT_CONTROL", "触发分钟级流控Permits:1")
        self.sms.append(params)
        n = next(self._ids)
        return Reply(
            200, {"RequestId": f"fake-{n}", "Code": "OK", "Message": "OK", "BizId": f"{n}^0"}
        )

    def _single_call(self, params: dict[str, str]) -> Reply:
        if not MOBILE.match(params.get("CalledNumber", "")):
            return self._business("isv.MOBILE_NUMBER_ILLEGAL", "号码格式非法")
        if not params.get("TtsCode") or (
            self.tts_codes and params["TtsCode"] not in self.tts_codes
        ):
            return self._business("isv.TTS_TEMPLATE_ILLEGAL", "文本转语音模板不合法")
        if not self._json_param(params, "TtsParam"):
            return self._business("isv.INVALID_JSON_PARAM", "JSON参数不合法")
        if self._limited(params["CalledNumber"]):
            return self._business("isv.BUSINESS_LIMIT_CONTROL", "触发流控")
        self.calls.append(params)
        n = next(self._ids)
        return Reply(
            200, {"RequestId": f"fake-{n}", "Code": "OK", "Message": "OK", "CallId": f"{n}^{n}"}
        )

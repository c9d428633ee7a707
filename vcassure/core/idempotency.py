"""`Idempotency-Key` for POST endpoints that create something (SPEC §6).

    @router.post("/things", response={201: ThingOut})
    @idempotent
    def thing_create(request, payload: ThingIn): ...

- No header: the endpoint runs as usual.
- A new key: a row (user, key, request hash) is inserted FIRST, inside the transaction that also
  runs the endpoint; the response is stored on that row before the transaction commits. A
  concurrent request with the same key blocks on the unique constraint until the first commits,
  then replays its response; there is no check-then-insert window.
- The same key and the same request (method, path with query string, JSON body compared after
  canonicalisation, so key order and whitespace do not matter): the stored status and body are
  returned, with the header `Idempotent-Replayed: true`, and nothing runs again.
- The same key with another request: 422.
- Only 2xx responses are stored. An error response (422, 403, 409, ...) releases the key in the
  same transaction, so the client may retry the corrected request with the same key; a crash
  rolls the key back with everything else. The endpoint's own writes behave exactly as they do
  without the header (services are atomic: a refused request has written nothing).
- Keys are per user: two users may use the same key independently.
"""

import contextlib
import functools
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast

from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja.decorators import decorate_view
from ninja.responses import NinjaJSONEncoder
from ninja.utils import contribute_operation_callback

from vcassure.core.errors import ConflictError, InvalidInputError
from vcassure.core.models import IdempotencyKey
from vcassure.core.schemas import ErrorOut

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
MAX_KEY_LENGTH = 255

OPENAPI_PARAMETER = {
    "in": "header",
    "name": HEADER,
    "required": False,
    "schema": {"type": "string", "maxLength": MAX_KEY_LENGTH},
    "description": "同一键与同一请求体返回第一次的响应；同一键配不同请求体返回 422。",
}


@dataclass
class _State:
    row: IdempotencyKey | None = None


def request_hash(request: HttpRequest) -> str:
    """sha256 of method, path (with query string) and body; a JSON body is canonicalised first."""
    body = request.body or b""
    with contextlib.suppress(ValueError, UnicodeDecodeError):
        body = json.dumps(
            json.loads(body), sort_keys=True, separators=(",", ":"), ensure_ascii=False
        ).encode()
    digest = hashlib.sha256()
    for part in ((request.method or "").encode(), request.get_full_path().encode(), body):
        digest.update(len(part).to_bytes(8, "big"))
        digest.update(part)
    return digest.hexdigest()


def _key_of(request: HttpRequest) -> str | None:
    key = request.headers.get(HEADER)
    if key is None or not getattr(request.user, "is_authenticated", False):
        return None
    key = key.strip()
    if not key or len(key) > MAX_KEY_LENGTH or not key.isprintable():
        raise InvalidInputError(
            _("Idempotency-Key 无效：应为 1 到 %(n)s 个可打印字符。") % {"n": MAX_KEY_LENGTH},
            errors=[{"field": HEADER, "message": _("幂等键格式无效。")}],
        )
    return key


def _replay(row: IdempotencyKey, digest: str) -> HttpResponse:
    if row.request_hash != digest:
        raise InvalidInputError(
            _("该 Idempotency-Key 已用于另一个不同的请求；请为新的请求使用新的键。"),
            errors=[{"field": HEADER, "message": _("幂等键与之前的请求内容不一致。")}],
            code="idempotency_key_reused",
        )
    if (
        row.status_code is None
    ):  # only visible if a caller committed mid-request; never by this module
        raise ConflictError(
            _("使用该 Idempotency-Key 的请求正在处理中，请稍后重试。"),
            code="idempotency_in_progress",
        )
    response = HttpResponse(
        json.dumps(row.response_body, cls=NinjaJSONEncoder),
        status=row.status_code,
        content_type="application/json; charset=utf-8",
    )
    response[REPLAYED_HEADER] = "true"
    return response


def _claim(user_id: int, key: str, digest: str) -> IdempotencyKey | HttpResponse:
    """Insert the key, or return the stored response of the request that inserted it first."""
    for _attempt in range(2):
        try:
            with transaction.atomic():
                return IdempotencyKey.objects.create(user_id=user_id, key=key, request_hash=digest)
        except IntegrityError:
            # Another transaction holds the key and has committed (a concurrent one waited above).
            row = IdempotencyKey.objects.filter(user_id=user_id, key=key).first()
            if row is not None:
                return _replay(row, digest)
            # It was removed between our insert and our read (a purge): try once more.
    raise ConflictError(
        _("使用该 Idempotency-Key 的请求正在处理中，请稍后重试。"), code="idempotency_in_progress"
    )


def _store_or_roll_back(run: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Wraps the operation's whole run (authentication, the endpoint, serialisation, error
    handlers): one transaction, in which the endpoint's own wrapper claims the key first."""

    @functools.wraps(run)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if HEADER not in request.headers:
            return run(request, *args, **kwargs)
        state = request._vca_idempotency = _State()  # type: ignore[attr-defined]
        with transaction.atomic():
            response = run(request, *args, **kwargs)
            if state.row is not None:
                if 200 <= response.status_code < 300:
                    state.row.status_code = response.status_code
                    state.row.response_body = _json_body(response)
                    state.row.save(update_fields=["status_code", "response_body"])
                elif not transaction.get_rollback():
                    # Errors are already responses here (ninja's handlers ran inside run()). Free
                    # the key and leave everything else as it would be without the header.
                    state.row.delete()
        return response

    return wrapper


def _json_body(response: HttpResponse) -> Any:
    content = getattr(response, "content", b"")
    if not content:
        return None
    try:
        return json.loads(content)
    except ValueError:
        return content.decode(errors="replace")


def _document_header(operation: Any) -> None:
    extra = dict(operation.openapi_extra or {})
    extra["parameters"] = [*extra.get("parameters", []), OPENAPI_PARAMETER]
    operation.openapi_extra = extra
    # A malformed or reused key is a 422; a key whose first request is still running, a 409.
    for status in (409, 422):
        operation.response_models.setdefault(status, operation._create_response_model(ErrorOut))


def idempotent(view: Callable[..., Any]) -> Callable[..., Any]:
    """Make a ninja POST endpoint honour `Idempotency-Key`. Put it below `@router.post(...)`."""

    @functools.wraps(view)
    def endpoint(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        state: _State | None = getattr(request, "_vca_idempotency", None)
        key = _key_of(request) if state is not None else None
        if key is None:
            return view(request, *args, **kwargs)
        claimed = _claim(cast(int, request.user.pk), key, request_hash(request))
        if isinstance(claimed, HttpResponse):
            return claimed
        state.row = claimed  # type: ignore[union-attr]
        return view(request, *args, **kwargs)

    # The run wrapper holds the transaction; ninja re-applies it to every mounted copy.
    decorate_view(_store_or_roll_back)(endpoint)
    contribute_operation_callback(endpoint, _document_header)
    return endpoint

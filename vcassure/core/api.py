from collections.abc import Iterable

from django.conf import settings
from django.http import HttpRequest
from ninja import Field, NinjaAPI, Router, Schema, Status
from ninja.constants import NOT_SET
from ninja.operation import Operation
from ninja.pagination import LimitOffsetPagination as NinjaLimitOffsetPagination
from ninja.security import APIKeyCookie

from vcassure.core.schemas import ErrorOut
from vcassure.core.selectors import health_check

router = Router(tags=["health"])

# Past a database's integer range an OFFSET is an error (SQLite: "datatype mismatch"; PostgreSQL:
# out of range for bigint); no list comes near this.
MAX_OFFSET = 2**31 - 1


class LimitOffsetPagination(NinjaLimitOffsetPagination):
    """`?limit=&offset=` (SPEC §6) with both bounded, so that any integer a client sends is a 422 or a page."""

    class Input(Schema):
        limit: int = Field(
            settings.NINJA_PAGINATION_PER_PAGE, ge=1, le=settings.NINJA_PAGINATION_MAX_LIMIT
        )
        offset: int = Field(0, ge=0, le=MAX_OFFSET)


@router.get(
    "/health",
    auth=None,
    response={200: dict, 503: dict},
    summary="Health of the database and queue",
)
def health(request: HttpRequest):
    parts = health_check()
    failing = [name for name in ("database", "queue") if parts[name] != "ok"]
    body: dict[str, object] = {"status": "ok" if not failing else "error", **parts}
    if failing:
        body["failing"] = failing
        return Status(503, body)
    return Status(200, body)


# --- the error answers every operation documents --------------------------------------------------

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


def document_error_responses(api: NinjaAPI, routers: Iterable[Router]) -> None:
    """Declare on every operation of `routers` the errors that the API itself can answer it with,
    in the error shape, so that the OpenAPI document lists every status a client may receive:

    - 401 when a login is required, and 403 for a write through a browser session (CSRF);
    - 400 when a body or a query string is parsed (it may not be JSON, or too large);
    - 422 when there is any parameter or body (it may not validate);
    - 404 when the path names an object (it may be missing or out of scope).

    Errors that only some operations give (403 for a role, 409 for a state) stay in their own
    `response=`. Call it after adding the routers, before the URLs are built (ninja copies each
    operation, with its responses, when it binds the routers to the API)."""
    for router in routers:
        for path_view in router.path_operations.values():
            for operation in path_view.operations:
                for status in _error_statuses(api, router, operation):
                    operation.response_models.setdefault(
                        status, operation._create_response_model(ErrorOut)
                    )


def _error_statuses(api: NinjaAPI, router: Router, operation: Operation) -> list[int]:
    auth = operation.auth_param
    if auth is NOT_SET:
        auth = router.auth if router.auth is not NOT_SET else api.auth
    auths = (
        []
        if auth is NOT_SET or auth is None
        else list(auth)
        if isinstance(auth, list | tuple)
        else [auth]
    )
    extra = operation.openapi_extra or {}
    sources = {model.__ninja_param_source__ for model in operation.models}
    has_body = "body" in sources or "requestBody" in extra
    statuses = []
    if auths:
        statuses.append(401)
        sessions = [a for a in auths if isinstance(a, APIKeyCookie) and a.csrf]
        if sessions and set(operation.methods) - SAFE_METHODS:
            statuses.append(403)
    if has_body or "query" in sources:
        statuses.append(400)
    if "{" in operation.path:
        statuses.append(404)
    if sources or has_body or extra.get("parameters"):
        statuses.append(422)
    return statuses

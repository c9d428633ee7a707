from django.conf import settings
from django.http import HttpRequest
from ninja import Field, Router, Schema, Status
from ninja.pagination import LimitOffsetPagination as NinjaLimitOffsetPagination

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

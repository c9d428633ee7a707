from django.http import HttpRequest
from ninja import Router, Status

from vcassure.core.selectors import health_check

router = Router(tags=["health"])


@router.get("/health", auth=None, response={200: dict, 503: dict}, summary="Health of the database and queue")
def health(request: HttpRequest):
    parts = health_check()
    failing = [name for name in ("database", "queue") if parts[name] != "ok"]
    body: dict[str, object] = {"status": "ok" if not failing else "error", **parts}
    if failing:
        body["failing"] = failing
        return Status(503, body)
    return Status(200, body)

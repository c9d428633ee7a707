from django.http import HttpRequest
from ninja import Router

from vcassure.core.selectors import health_check

router = Router(tags=["health"])


@router.get("/health", auth=None, response={200: dict, 503: dict}, summary="Health of the database and queue")
def health(request: HttpRequest):
    parts = health_check()
    failing = [name for name in ("database", "queue") if parts[name] != "ok"]
    body = {"status": "ok" if not failing else "error", **parts}
    if failing:
        body["failing"] = failing
        return 503, body
    return 200, body

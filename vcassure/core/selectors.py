from datetime import timedelta

from django.db import connection
from huey.contrib.djhuey import HUEY

from vcassure.core import clock
from vcassure.core.models import AuditEvent, WorkerHeartbeat

HEARTBEAT_STALE_AFTER = timedelta(minutes=3)


def health_check() -> dict[str, str | dict]:
    """Probe the database and the task queue; each part is "ok" or a short error."""
    result: dict[str, str | dict] = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        result["database"] = "ok"
    except Exception as exc:  # noqa: BLE001 - health reports any failure as text
        result["database"] = f"error: {exc.__class__.__name__}"
    try:
        pending = HUEY.pending_count()
        result["queue"] = "ok"
        result["queue_pending"] = str(pending)
    except Exception as exc:  # noqa: BLE001
        result["queue"] = f"error: {exc.__class__.__name__}"
    worker: dict[str, str | None] = {"last_heartbeat_at": None, "status": "unknown"}
    if result["database"] == "ok":
        beat = WorkerHeartbeat.objects.filter(name="default").first()
        if beat:
            worker["last_heartbeat_at"] = beat.beat_at.isoformat()
            worker["status"] = (
                "ok" if clock.now() - beat.beat_at < HEARTBEAT_STALE_AFTER else "stale"
            )
    result["worker"] = worker
    return result


def audit_event_list(*, object_type: str = "", object_id: str = ""):
    qs = AuditEvent.objects.select_related("actor")
    if object_type:
        qs = qs.filter(object_type=object_type)
    if object_id:
        qs = qs.filter(object_id=object_id)
    return qs

from typing import Any

from django.db import models

from vcassure.core import clock, context
from vcassure.core.models import AuditEvent, WorkerHeartbeat


def audit_record(
    *,
    actor: Any,
    action: str,
    obj: models.Model | None = None,
    changes: dict | None = None,
    object_type: str = "",
    object_repr: str = "",
) -> AuditEvent:
    """Append one audit event. Called by every service that changes something."""
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_repr = object_repr or str(obj)[:200]
    actor_id = (
        getattr(actor, "pk", None)
        if actor is not None and getattr(actor, "is_authenticated", False)
        else None
    )
    return AuditEvent.objects.create(
        actor_id=actor_id,
        action=action,
        object_type=object_type,
        object_id=str(obj.pk) if obj is not None and obj.pk is not None else "",
        object_repr=object_repr[:200],
        changes=changes or {},
        ip_address=context.client_ip.get(),
    )


def audit_record_many(events: list[dict[str, Any]]) -> int:
    """Append many audit events in one INSERT (a worker applying a batch). Each dict: action, obj,
    and optionally actor, changes, at and ip_address (the address the change came from)."""
    rows = []
    for e in events:
        obj, actor = e["obj"], e.get("actor")
        rows.append(
            AuditEvent(
                at=e.get("at") or clock.now(),
                actor_id=getattr(actor, "pk", None)
                if actor is not None and getattr(actor, "is_authenticated", False)
                else None,
                action=e["action"],
                object_type=obj._meta.label_lower,
                object_id=str(obj.pk),
                object_repr=str(obj)[:200],
                changes=e.get("changes") or {},
                ip_address=e.get("ip_address"),
            )
        )
    AuditEvent.objects.bulk_create(rows, batch_size=500)
    return len(rows)


def model_changes(
    instance: models.Model, fields: list[str], before: dict[str, Any]
) -> dict[str, list[Any]]:
    """{field: [old, new]} for the fields that changed, JSON-friendly."""
    diff = {}
    for name in fields:
        new = getattr(instance, name)
        old = before.get(name)
        if old != new:
            diff[name] = [_jsonable(old), _jsonable(new)]
    return diff


def _jsonable(value: Any) -> Any:
    if value is None or isinstance(value, str | int | float | bool):
        return value
    if isinstance(value, models.Model):
        return value.pk
    return str(value)


def worker_heartbeat_record(name: str = "default") -> WorkerHeartbeat:
    beat, _ = WorkerHeartbeat.objects.update_or_create(name=name, defaults={"beat_at": clock.now()})
    return beat

"""Measures shared by the meeting report and the KPIs."""

from datetime import datetime

from django.db.models import CharField, OuterRef, Subquery, Value
from django.db.models.functions import Cast, Concat

from vcassure.notifications.models import Notification


def task_ref_expr(field: str = "id"):
    """The subject reference ("task:12") of a task row, in SQL."""
    return Concat(Value("task:"), Cast(field, output_field=CharField()))


def ack_due_subquery():
    """A venue task's reply deadline: that of the first notice publishing sent its assignee."""
    return Subquery(
        Notification.objects.filter(
            subject=Concat(Value("task:"), Cast(OuterRef("pk"), output_field=CharField())),
            kind=Notification.Kind.PUBLISHED,
        )
        .order_by("id")
        .values("ack_due_at")[:1]
    )


def minutes(a: datetime | None, b: datetime | None) -> float | None:
    if a is None or b is None:
        return None
    return (b - a).total_seconds() / 60


def mean(values: list[float]) -> float | None:
    return round(sum(values) / len(values), 1) if values else None


def rate(part: int, whole: int) -> float | None:
    """A share in percent with one decimal; None when there is nothing to share."""
    return round(part * 100 / whole, 1) if whole else None


def ack_status(at: datetime | None, due: datetime | None) -> str:
    if at is None:
        return "never"
    return "late" if due is not None and at > due else "on_time"


def due_status(at: datetime | None, due: datetime | None) -> str:
    """Met a deadline: on_time, late, or never."""
    if at is None:
        return "never"
    return "late" if due is not None and at > due else "on_time"

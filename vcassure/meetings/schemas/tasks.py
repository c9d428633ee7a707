"""API shapes of tasks: filters, the task, status roll-ups, acknowledgement and coordination completion."""

from datetime import datetime
from typing import Any

from ninja import Field, Schema

from vcassure.core.schemas import LocalDatetime, ObjectId
from vcassure.meetings.models import SupportTask


class TaskFilter(Schema):
    state: SupportTask.State | None = None
    org_unit: ObjectId | None = None
    kind: SupportTask.Kind | None = None


class MyTaskFilter(Schema):
    mine: bool = False
    state: SupportTask.State | None = None
    kind: SupportTask.Kind | None = None


class TaskOut(Schema):
    id: int
    meeting: int
    meeting_title: str
    kind: str
    role: str
    venue: int | None
    venue_name: str
    department: int | None
    assignee: int | None
    assignee_name: str
    assignment: str
    state: str
    on_site_due_at: LocalDatetime
    ready_due_at: LocalDatetime
    shutdown_due_at: LocalDatetime
    acknowledged_at: LocalDatetime
    parent: int | None
    org_unit: int

    @staticmethod
    def resolve_meeting(obj) -> int:
        return obj.meeting_id

    @staticmethod
    def resolve_meeting_title(obj) -> str:
        return obj.meeting.title

    @staticmethod
    def resolve_venue(obj) -> int | None:
        return obj.venue_id

    @staticmethod
    def resolve_venue_name(obj) -> str:
        return obj.venue.name if obj.venue_id else ""

    @staticmethod
    def resolve_department(obj) -> int | None:
        return obj.department_id

    @staticmethod
    def resolve_assignee(obj) -> int | None:
        return obj.assignee_id

    @staticmethod
    def resolve_assignee_name(obj) -> str:
        return obj.assignee.name if obj.assignee_id else ""

    @staticmethod
    def resolve_parent(obj) -> int | None:
        return obj.parent_id

    @staticmethod
    def resolve_org_unit(obj) -> int:
        return obj.org_unit_id


class StatusFilter(Schema):
    org_unit: ObjectId | None = Field(
        None, description="roll up under this unit instead of the meeting's"
    )


class UnitCountsOut(Schema):
    org_unit: int
    name: str
    level: str
    counts: dict[str, int]


class OverdueOut(Schema):
    task: int
    venue: int | None
    venue_name: str
    state: str
    assignee: int | None
    on_site_due_at: LocalDatetime
    ready_due_at: LocalDatetime


class StatusOut(Schema):
    counts: dict[str, int]
    units: list[UnitCountsOut]
    overdue: list[OverdueOut]


class AckOut(Schema):
    acknowledged: bool
    first_time: bool
    acknowledged_at: LocalDatetime
    task: TaskOut | None = None


class LinkAckOut(Schema):
    """The answer is recorded at once; the task it is about moves to acknowledged within seconds
    (the worker applies the effects): GET /api/ack/{token} shows the task."""

    acknowledged: bool
    first_time: bool
    acknowledged_at: LocalDatetime


class AckLinkOut(Schema):
    title: str
    body: str
    ack_due_at: LocalDatetime
    acknowledged_at: LocalDatetime
    used: bool
    task: TaskOut | None = None


class CompleteIn(Schema):
    """A coordination task's completion: the note, and what the department records (broadcast
    centre: channel_opened_at, signal_monitored_until, signal_ok; network operations:
    trunk_checked_at, trunk_ok)."""

    note: str = ""
    channel_opened_at: datetime | None = None
    signal_monitored_until: datetime | None = None
    signal_ok: bool | None = True
    trunk_checked_at: datetime | None = None
    trunk_ok: bool | None = None


class CompletionOut(Schema):
    task: TaskOut
    done_at: LocalDatetime
    note: str
    details: dict[str, Any]

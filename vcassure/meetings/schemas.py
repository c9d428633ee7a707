"""Shapes of the meetings API (SPEC §6). Input is checked for types here; every business rule
(scope, systems, venues, times) is checked by the services, which name the field at fault."""

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any

from django.utils import timezone
from ninja import Field, Schema
from pydantic import PlainSerializer

from vcassure.core.schemas import ErrorOut, ObjectId, UtcDatetime
from vcassure.meetings.models import Meeting, SupportTask


def _local_iso(value: datetime | None) -> str | None:
    return timezone.localtime(value).isoformat() if value else None


# Out: ISO 8601 in the server's time zone, with its offset ("2026-06-01T09:00:00+08:00").
LocalDatetime = Annotated[datetime | None, PlainSerializer(_local_iso, return_type=str | None)]


class ShortfallConflictOut(ErrorOut):
    shortfalls: list[dict[str, Any]] = Field(
        default_factory=list, description="present when code is shortfalls"
    )


# --- meetings -----------------------------------------------------------------------------------


class VenueFilterIn(Schema):
    levels: list[str] = Field(default_factory=list, description="province/city/county/township")
    org_units: list[ObjectId] = Field(
        default_factory=list, description="all venues under these units"
    )


class MeetingIn(Schema):
    system: str = Field(description="customer system code, e.g. water")
    title: str = ""
    starts_at: UtcDatetime | None = Field(None, description="ISO 8601 with offset")
    ends_at: UtcDatetime | None = Field(None, description="ISO 8601 with offset")
    importance: str = Field(Meeting.Importance.NORMAL, description="normal/important/special")
    kind: str = Field(Meeting.Kind.MEETING, description="meeting/test")
    notice_ref: str = ""
    main_venue: ObjectId | None = None
    venues: list[ObjectId] | None = Field(None, description="branch venue ids; or venue_filter")
    venue_filter: VenueFilterIn | None = None


class MeetingFilter(Schema):
    state: Meeting.State | None = None
    system: str = ""
    starts_from: date | datetime | None = Field(
        None, alias="from", description="starts at or after; a date means its 00:00"
    )
    starts_to: date | datetime | None = Field(
        None, alias="to", description="starts before; a date includes that whole day"
    )
    org_unit: ObjectId | None = None
    q: str = ""


class MeetingOut(Schema):
    id: int
    system: str
    title: str
    kind: str
    importance: str
    state: str
    starts_at: LocalDatetime
    ends_at: LocalDatetime
    main_venue: int | None
    notice_ref: str
    has_notice_document: bool
    org_unit: int
    venue_count: int
    published_at: LocalDatetime
    cancelled_reason: str
    shortfalls: list[dict[str, Any]]
    closed_at: LocalDatetime = None
    close_note: str = ""

    @staticmethod
    def resolve_system(obj) -> str:
        return obj.system.code

    @staticmethod
    def resolve_main_venue(obj) -> int | None:
        return obj.main_venue_id

    @staticmethod
    def resolve_has_notice_document(obj) -> bool:
        return bool(obj.notice_document)

    @staticmethod
    def resolve_org_unit(obj) -> int:
        return obj.org_unit_id

    @staticmethod
    def resolve_venue_count(obj) -> int:
        count = getattr(obj, "venue_count", None)  # annotated by selectors.meeting_list
        return count if count is not None else obj.meeting_venues.count()


class PublishIn(Schema):
    confirm_shortfalls: bool = False


class PublishOut(Schema):
    tasks: int
    shortfalls: list[dict[str, Any]]


class RescheduleIn(Schema):
    starts_at: UtcDatetime
    ends_at: UtcDatetime


class CancelIn(Schema):
    reason: str = ""


class PlanOut(Schema):
    tasks: int
    venue_tasks: int
    by_role: dict[str, int]
    by_assignment: dict[str, int]
    shortfalls: list[dict[str, Any]]


class ConflictVenueOut(Schema):
    venue: int
    venue_name: str
    meeting: int | None
    meeting_title: str


class ConflictPersonOut(Schema):
    staff: int
    staff_name: str
    meeting: int | None
    meeting_title: str


class ConflictsOut(Schema):
    venues: list[ConflictVenueOut]
    people: list[ConflictPersonOut]


# --- tasks and status ---------------------------------------------------------------------------


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


# --- acknowledgement --------------------------------------------------------------------------


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


# --- field work (C6) ----------------------------------------------------------------------------


class CheckInIn(Schema):
    lat: float | str | None = Field(None, description="latitude, optional (-90…90)")
    lng: float | str | None = Field(None, description="longitude, optional (-180…180)")


class FieldTaskOut(TaskOut):
    checked_in_at: LocalDatetime
    check_in_lat: float | None
    check_in_lng: float | None
    check_in_distance_m: int | None = Field(None, description="metres from the venue, if known")
    check_in_far: bool = Field(False, description="checked in more than 1 km from the venue")
    ready_at: LocalDatetime
    done_at: LocalDatetime

    @staticmethod
    def resolve_check_in_lat(obj) -> float | None:
        return float(obj.check_in_lat) if obj.check_in_lat is not None else None

    @staticmethod
    def resolve_check_in_lng(obj) -> float | None:
        return float(obj.check_in_lng) if obj.check_in_lng is not None else None


class CheckInOut(Schema):
    task: FieldTaskOut


class StepIn(Schema):
    result: str = Field(description="pass/fail")
    note: str = Field("", description="required when the result is fail")
    template: str = Field("venue-r7", description="checklist code: venue-r7 (R7) or fibre-r8 (R8)")
    reading: Decimal | None = Field(
        None, description="the step's reading (e.g. optical power in dBm) when it asks for one"
    )


class StepPhotoOut(Schema):
    id: int
    url: str
    content_type: str
    size: int
    width: int
    height: int

    @staticmethod
    def resolve_url(obj) -> str:
        from django.urls import reverse

        return reverse("checklists:photo", args=[obj.pk])


class StepResultOut(Schema):
    id: int
    template: str
    number: int
    title: str
    phase: str
    result: str
    note: str
    reading: Decimal | None = None
    recorded_at: LocalDatetime
    photos: list[StepPhotoOut]

    @staticmethod
    def resolve_template(obj) -> str:
        return obj.run.template.code

    @staticmethod
    def resolve_number(obj) -> int:
        return obj.step.number

    @staticmethod
    def resolve_title(obj) -> str:
        return obj.step.title

    @staticmethod
    def resolve_phase(obj) -> str:
        return obj.step.phase

    @staticmethod
    def resolve_photos(obj) -> list:
        return list(obj.photos.all())


class FaultBriefOut(Schema):
    id: int
    title: str
    state: str
    severity: str
    assigned_department: int | None
    assigned_department_name: str
    opened_at: LocalDatetime

    @staticmethod
    def resolve_assigned_department(obj) -> int | None:
        return obj.assigned_department_id

    @staticmethod
    def resolve_assigned_department_name(obj) -> str:
        return obj.assigned_department.name if obj.assigned_department_id else ""


class StepRecordOut(Schema):
    task: FieldTaskOut
    step: StepResultOut
    fault: FaultBriefOut | None = Field(None, description="the fault a failed step opened")


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


class CloseIn(Schema):
    note: str = ""
    force: bool = False


class OpenItemOut(Schema):
    kind: str
    message: str
    task: int | None = None
    fault: int | None = None


class OpenItemsOut(Schema):
    count: int
    items: list[OpenItemOut]

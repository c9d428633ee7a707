"""API shapes of meetings: create, filter, output, publish, reschedule, cancel, plan and conflicts; close-out."""

from datetime import date, datetime
from typing import Any

from ninja import Field, Schema

from vcassure.core.schemas import ErrorOut, LocalDatetime, ObjectId, UtcDatetime
from vcassure.meetings.models import Meeting


class ShortfallConflictOut(ErrorOut):
    shortfalls: list[dict[str, Any]] = Field(
        default_factory=list, description="present when code is shortfalls"
    )


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

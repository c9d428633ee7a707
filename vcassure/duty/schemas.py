"""Shapes of the duty API (SPEC §6.2). Types are checked here; business rules in the services."""

from datetime import date, datetime

from ninja import Field, Schema

from vcassure.core.schemas import LocalDatetime, ObjectId


class DutyWindow(Schema):
    start: str = Field(description="HH:MM, local time", examples=["08:00"])
    end: str = Field(description="HH:MM; not after start means the next day", examples=["20:00"])


class PeriodVenueFilterIn(Schema):
    levels: list[str] = Field(default_factory=list, description="province/city/county/township")
    org_units: list[ObjectId] = Field(
        default_factory=list, description="all venues under these units"
    )
    systems: list[str] = Field(default_factory=list, description="customer system codes (optional)")


class PeriodIn(Schema):
    name: str = ""
    starts_on: date | None = None
    ends_on: date | None = None
    mode: str = Field("24x7", description="24x7 or duty_hours")
    duty_hours: list[DutyWindow] = Field(
        default_factory=list, description='duty_hours mode: [{"start": "08:00", "end": "20:00"}]'
    )
    shift_hours: int = Field(8, description="8 or 12")
    venues: list[ObjectId] | None = Field(None, description="venue ids; or venue_filter")
    venue_filter: PeriodVenueFilterIn | None = None
    suggest: bool = Field(True, description="fill the shifts from primary, backup and the pool")


class PeriodOut(Schema):
    id: int
    name: str
    org_unit: int
    starts_on: date
    ends_on: date
    mode: str
    duty_hours: list[dict]
    shift_hours: int
    venues: list[int]

    @staticmethod
    def resolve_org_unit(obj) -> int:
        return obj.org_unit_id

    @staticmethod
    def resolve_venues(obj) -> list[int]:
        return sorted(v.pk for v in obj.venues.all())


class ShiftOut(Schema):
    id: int
    period: int
    venue: int
    venue_name: str
    starts_at: LocalDatetime
    ends_at: LocalDatetime
    assignee: int | None
    assignee_name: str
    checked_in_at: LocalDatetime
    checked_out_at: LocalDatetime

    @staticmethod
    def resolve_period(obj) -> int:
        return obj.period_id

    @staticmethod
    def resolve_venue(obj) -> int:
        return obj.venue_id

    @staticmethod
    def resolve_venue_name(obj) -> str:
        return obj.venue.name

    @staticmethod
    def resolve_assignee(obj) -> int | None:
        return obj.assignee_id

    @staticmethod
    def resolve_assignee_name(obj) -> str:
        return obj.assignee.name if obj.assignee is not None else ""


class ShiftFilter(Schema):
    mine: bool = Field(False, description="only the caller's own shifts")
    period: ObjectId | None = None
    starts_from: datetime | date | None = Field(None, alias="from")
    starts_to: datetime | date | None = Field(None, alias="to")


class PeriodShiftFilter(Schema):
    uncovered: bool = Field(False, description="only shifts nobody is assigned to")


class ShiftPatchIn(Schema):
    assignee: ObjectId | None = Field(description="staff id; null leaves the shift uncovered")


class CheckInIn(Schema):
    lat: float | None = Field(None, ge=-90, le=90, description="latitude, optional")
    lng: float | None = Field(None, ge=-180, le=180, description="longitude, optional")

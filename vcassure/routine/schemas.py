"""Shapes of the routine API (SPEC §6.2): inspection plans, inspections and their steps."""

import datetime as dt
from datetime import date, time
from decimal import Decimal
from typing import Literal

from ninja import Field, Schema

from vcassure.core.schemas import LocalDatetime, ObjectId


class PlanVenueFilterIn(Schema):
    levels: list[Literal["province", "city", "county", "township"]] = []
    org_units: list[ObjectId] = []


class InspectionPlanIn(Schema):
    name: str
    system: str = Field(description="customer system code, e.g. water")
    venues: list[ObjectId] | None = Field(None, description="venue ids; or venue_filter")
    venue_filter: PlanVenueFilterIn | None = None
    frequency: Literal["daily", "weekly", "monthly"]
    weekdays: list[int] = Field([], description="weekly: 0 = Monday … 6 = Sunday")
    month_day: int | None = Field(None, description="monthly: the day of the month (1–31)")
    working_days_only: bool = Field(True, description="only the working calendar's workdays")
    checklist_template: str | int = Field(description="checklist template code or id")
    due_time: time = Field(description="the local time of day by which it is done, e.g. 10:00")
    starts_on: date | None = None


class InspectionPlanOut(Schema):
    id: int
    name: str
    system: str
    org_unit: int
    venues: list[int]
    venue_filter: dict | None
    frequency: str
    weekdays: list[int]
    month_day: int | None
    working_days_only: bool
    checklist_template: str
    due_time: time
    starts_on: date
    is_active: bool

    @staticmethod
    def resolve_system(obj) -> str:
        return obj.system.code

    @staticmethod
    def resolve_org_unit(obj) -> int:
        return obj.org_unit_id

    @staticmethod
    def resolve_venues(obj) -> list[int]:
        return [v.pk for v in obj.venues.all()]

    @staticmethod
    def resolve_checklist_template(obj) -> str:
        return obj.checklist_template.code


class InspectionFilter(Schema):
    mine: bool = False
    state: Literal["pending", "in_progress", "faulty", "done", "cancelled"] | None = None
    plan: ObjectId | None = None
    org_unit: ObjectId | None = None
    overdue: bool = False


class InspectionOut(Schema):
    id: int
    plan: int
    plan_name: str
    venue: int
    venue_name: str
    org_unit: int
    date: dt.date
    assignee: int | None
    assignee_name: str
    state: str
    due_at: LocalDatetime
    completed_at: LocalDatetime
    is_overdue: bool
    checklist_template: str

    @staticmethod
    def resolve_plan(obj) -> int:
        return obj.plan_id

    @staticmethod
    def resolve_plan_name(obj) -> str:
        return obj.plan.name

    @staticmethod
    def resolve_venue(obj) -> int:
        return obj.venue_id

    @staticmethod
    def resolve_venue_name(obj) -> str:
        return obj.venue.name

    @staticmethod
    def resolve_org_unit(obj) -> int:
        return obj.org_unit_id

    @staticmethod
    def resolve_date(obj) -> dt.date:
        return obj.scheduled_on

    @staticmethod
    def resolve_assignee(obj) -> int | None:
        return obj.assignee_id

    @staticmethod
    def resolve_assignee_name(obj) -> str:
        return obj.assignee.name if obj.assignee_id else ""

    @staticmethod
    def resolve_is_overdue(obj) -> bool:
        from vcassure.core import clock

        return obj.state in obj.OPEN_STATES and obj.due_at < clock.now()

    @staticmethod
    def resolve_checklist_template(obj) -> str:
        return obj.plan.checklist_template.code


class InspectionStepIn(Schema):
    result: Literal["pass", "fail"]
    note: str = ""
    reading: Decimal | None = Field(None, description="the step's reading, when it asks for one")


class InspectionStepOut(Schema):
    inspection: InspectionOut
    number: int
    title: str
    result: str
    note: str
    reading: Decimal | None
    fault: int | None

"""API shapes of field work (C6): check-in, steps with photos, the fault a failed step opened."""

from decimal import Decimal

from ninja import Field, Schema

from vcassure.core.schemas import LocalDatetime
from vcassure.meetings.schemas.tasks import TaskOut


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

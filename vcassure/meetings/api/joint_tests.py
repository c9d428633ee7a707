"""Joint tests (SPEC §6.2): `GET/POST /api/meetings/{id}/test-results` and the rounds (time
slots per city) `GET/POST /api/meetings/{id}/test-rounds`."""

from datetime import datetime
from typing import Literal

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from vcassure.core.idempotency import idempotent
from vcassure.faults.models import Fault
from vcassure.meetings import selectors
from vcassure.meetings.api._common import READ_ERRORS, WRITE_ERRORS
from vcassure.meetings.selectors.joint_tests import test_results_list, test_rounds_list
from vcassure.meetings.services._common import iso
from vcassure.meetings.services.joint_tests import (
    ResultInput,
    test_results_record,
    test_round_add,
)

router = Router(tags=["meetings"])

Outcome = Literal["pass", "fail", ""]


class TestResultIn(Schema):
    venue: int
    round: int = Field(1, description="round number; 1 for every venue, later ones re-test")
    audio_in: Outcome = ""
    audio_out: Outcome = ""
    video_in: Outcome = ""
    video_out: Outcome = ""
    note: str = Field("", description="required when a check fails")


class TestResultOut(Schema):
    id: int
    venue: int
    venue_name: str
    round: int
    audio_in: str
    audio_out: str
    video_in: str
    video_out: str
    note: str
    outcome: str
    faults: list[int] = []

    @staticmethod
    def resolve_venue(obj) -> int:
        return obj.venue_id

    @staticmethod
    def resolve_venue_name(obj) -> str:
        return obj.venue.name

    @staticmethod
    def resolve_round(obj) -> int:
        return obj.round.number


class TestResultsOut(Schema):
    items: list[TestResultOut]
    count: int


@router.get(
    "/meetings/{int:meeting_id}/test-results",
    response={200: TestResultsOut, 404: WRITE_ERRORS[404]},
    summary="A joint test's results per venue and round",
)
def test_results_get(request: HttpRequest, meeting_id: int):
    meeting = selectors.meeting_get(user=request.user, pk=meeting_id)
    items = list(test_results_list(meeting).order_by("round__number", "org_unit__path"))
    return {"items": items, "count": len(items)}


@router.post(
    "/meetings/{int:meeting_id}/test-results",
    response={200: TestResultOut, **WRITE_ERRORS},
    summary="Record a venue's result in a round; a failure opens a fault and a re-test round",
)
@idempotent
def test_results_post(request: HttpRequest, meeting_id: int, payload: TestResultIn):
    meeting = selectors.meeting_get(user=request.user, pk=meeting_id)
    [result] = test_results_record(meeting, by=request.user, rows=[ResultInput(**payload.dict())])
    result.faults = list(  # type: ignore[attr-defined]
        Fault.objects.filter(
            source=Fault.Source.JOINT_TEST, venue=result.venue, subject=f"meeting:{meeting.pk}"
        ).values_list("pk", flat=True)
    )
    return result


class TestRoundIn(Schema):
    city: int | None = Field(None, description="a city of the meeting's venues; none: every venue")
    starts_at: datetime = Field(description="local ISO datetime, within the meeting")
    ends_at: datetime


class TestRoundOut(Schema):
    id: int
    number: int
    city: int | None
    city_name: str
    starts_at: str | None
    ends_at: str | None
    is_retest: bool

    @staticmethod
    def resolve_city(obj) -> int | None:
        return obj.city_id

    @staticmethod
    def resolve_city_name(obj) -> str:
        return obj.city.name if obj.city else ""

    @staticmethod
    def resolve_starts_at(obj) -> str | None:
        return iso(obj.starts_at)

    @staticmethod
    def resolve_ends_at(obj) -> str | None:
        return iso(obj.ends_at)


class TestRoundsOut(Schema):
    items: list[TestRoundOut]
    count: int


@router.get(
    "/meetings/{int:meeting_id}/test-rounds",
    response={200: TestRoundsOut, **READ_ERRORS},
    summary="A joint test's rounds: number, city, time slot",
)
def test_rounds_get(request: HttpRequest, meeting_id: int):
    meeting = selectors.meeting_get(user=request.user, pk=meeting_id)
    items = list(test_rounds_list(meeting))
    return {"items": items, "count": len(items)}


@router.post(
    "/meetings/{int:meeting_id}/test-rounds",
    response={201: TestRoundOut, **WRITE_ERRORS},
    summary="Schedule a round: a time slot within the meeting, for one city or every venue",
)
@idempotent
def test_rounds_post(request: HttpRequest, meeting_id: int, payload: TestRoundIn):
    meeting = selectors.meeting_get(user=request.user, pk=meeting_id)
    round_ = test_round_add(
        meeting,
        by=request.user,
        city=payload.city,
        starts_at=payload.starts_at,
        ends_at=payload.ends_at,
    )
    return Status(201, test_rounds_list(meeting).get(pk=round_.pk))

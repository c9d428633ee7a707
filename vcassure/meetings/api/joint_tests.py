"""Joint test results (SPEC §6.2): `GET/POST /api/meetings/{id}/test-results`."""

from typing import Literal

from django.http import HttpRequest
from ninja import Field, Router, Schema

from vcassure.core.idempotency import idempotent
from vcassure.faults.models import Fault
from vcassure.meetings import selectors
from vcassure.meetings.api._common import WRITE_ERRORS
from vcassure.meetings.selectors.joint_tests import test_results_list
from vcassure.meetings.services.joint_tests import ResultInput, test_results_record

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

"""Readiness probes of a meeting (SPEC §6.2): the latest result per venue device; probe now."""

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status
from ninja.pagination import paginate

from vcassure.core.api import LimitOffsetPagination
from vcassure.core.schemas import LocalDatetime
from vcassure.meetings import selectors
from vcassure.meetings.api._common import READ_ERRORS, WRITE_ERRORS
from vcassure.meetings.permissions import can_manage_meetings
from vcassure.meetings.selectors.probes import meeting_probe_results
from vcassure.meetings.services.probes import meeting_probes_request

router = Router(tags=["probes"])


class ProbeOut(Schema):
    venue: int
    equipment: int
    method: str
    ok: bool
    rtt_ms: float | None
    checked_at: LocalDatetime
    error: str

    @staticmethod
    def resolve_venue(obj) -> int:
        return obj.equipment.venue_id

    @staticmethod
    def resolve_equipment(obj) -> int:
        return obj.equipment_id


class ProbeQueuedOut(Schema):
    queued: bool
    devices: int


@router.get(
    "/meetings/{int:meeting_id}/probes",
    response={200: list[ProbeOut], **READ_ERRORS},
    summary="The latest readiness probe of each venue device",
)
@paginate(LimitOffsetPagination)
def meeting_probes(request: HttpRequest, meeting_id: int):
    meeting = selectors.meeting_get(user=request.user, pk=meeting_id)
    return meeting_probe_results(meeting, user=request.user)


@router.post(
    "/meetings/{int:meeting_id}/probes",
    response={202: ProbeQueuedOut, **WRITE_ERRORS},
    summary="Probe the meeting's venue devices now (queued)",
)
def meeting_probes_now(request: HttpRequest, meeting_id: int):
    meeting = selectors.meeting_get(user=request.user, pk=meeting_id)
    if not can_manage_meetings(request.user):
        raise PermissionDenied(_("您的角色不能发起设备探测。"))
    return Status(202, {"queued": True, "devices": meeting_probes_request(meeting)})

"""Faults (SPEC §6): list and detail in the caller's scope (another scope's fault is a 404), and a
fault entered by hand or from the 96311 hotline. Failed checklist steps open theirs through the
field services. Schemas sit here until the app grows a schemas.py."""

from typing import Literal

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from vcassure.accounts.models import Role
from vcassure.core.api import LimitOffsetPagination
from vcassure.core.errors import InvalidInputError
from vcassure.core.idempotency import idempotent
from vcassure.core.schemas import ErrorOut, LocalDatetime, ObjectId
from vcassure.faults import selectors, services
from vcassure.faults.models import Fault
from vcassure.orgs.scoping import visible_unit
from vcassure.venues.models import Venue

router = Router(tags=["faults"])

CREATE_ROLES = {Role.ADMIN, Role.DISPATCHER, Role.MANAGER, Role.SUPPORT}


class FaultFilter(Schema):
    state: Fault.State | None = None
    severity: Fault.Severity | None = None
    org_unit: ObjectId | None = Field(
        None, description="faults of this unit and everything below it"
    )


class FaultIn(Schema):
    title: str = Field(description="what is broken, as the caller reported it")
    venue: ObjectId | None = Field(
        None, description="the venue; or org_unit when the fault is not at a venue"
    )
    org_unit: ObjectId | None = None
    severity: Fault.Severity = Fault.Severity.MAJOR
    description: str = ""
    source: Literal["manual", "hotline"] = Field(
        "manual", description="entered by hand, or from the 96311 hotline"
    )


class FaultOut(Schema):
    id: int
    title: str
    description: str
    source: str
    severity: str
    state: str
    org_unit: int
    venue: int | None
    venue_name: str
    subject: str
    step_result: int | None
    assigned_department: int | None
    assigned_department_name: str
    responsible_department: int | None = Field(
        description="the department that answers for the fault (the city's network operations)"
    )
    assignee: int | None = Field(description="the staff member sent to repair it")
    assignee_name: str
    reported_at: LocalDatetime = Field(description="when the fault was reported (opened)")
    opened_at: LocalDatetime
    acknowledged_at: LocalDatetime
    on_site_at: LocalDatetime
    restored_at: LocalDatetime
    closed_at: LocalDatetime
    ack_due_at: LocalDatetime
    on_site_due_at: LocalDatetime
    restore_due_at: LocalDatetime

    @staticmethod
    def resolve_responsible_department(obj) -> int | None:
        return obj.assigned_department_id

    @staticmethod
    def resolve_assignee(obj) -> int | None:
        return obj.assignee_id

    @staticmethod
    def resolve_assignee_name(obj) -> str:
        return obj.assignee.name if obj.assignee_id else ""

    @staticmethod
    def resolve_reported_at(obj):
        return obj.opened_at

    @staticmethod
    def resolve_org_unit(obj) -> int:
        return obj.org_unit_id

    @staticmethod
    def resolve_venue(obj) -> int | None:
        return obj.venue_id

    @staticmethod
    def resolve_venue_name(obj) -> str:
        return obj.venue.name if obj.venue_id else ""

    @staticmethod
    def resolve_step_result(obj) -> int | None:
        return obj.step_result_id

    @staticmethod
    def resolve_assigned_department(obj) -> int | None:
        return obj.assigned_department_id

    @staticmethod
    def resolve_assigned_department_name(obj) -> str:
        return obj.assigned_department.name if obj.assigned_department_id else ""


class FaultEventOut(Schema):
    kind: str
    at: LocalDatetime
    actor: int | None
    actor_name: str
    note: str
    advisor: str

    @staticmethod
    def resolve_actor(obj) -> int | None:
        return obj.actor_id

    @staticmethod
    def resolve_actor_name(obj) -> str:
        return (obj.actor.get_full_name() or obj.actor.username) if obj.actor_id else ""


class FaultDetailOut(FaultOut):
    events: list[FaultEventOut]

    @staticmethod
    def resolve_events(obj) -> list:
        return list(selectors.fault_event_list(obj))


@router.get("/faults", response=list[FaultOut], summary="Faults in the caller's scope")
@paginate(LimitOffsetPagination)
def fault_list(request: HttpRequest, filters: Query[FaultFilter]):
    return selectors.fault_list(
        user=request.user,
        state=filters.state or "",
        severity=filters.severity or "",
        org_unit=filters.org_unit,
    )


@router.get(
    "/faults/{int:fault_id}",
    response={200: FaultDetailOut, 404: ErrorOut},
    summary="A fault with its events",
)
def fault_detail(request: HttpRequest, fault_id: int):
    return selectors.fault_get(user=request.user, pk=fault_id)


@router.post(
    "/faults",
    response={201: FaultDetailOut, 403: ErrorOut, 422: ErrorOut},
    summary="Enter a fault by hand or from the 96311 hotline; routed to the city's network operations",
)
@idempotent
def fault_create(request: HttpRequest, payload: FaultIn):
    user = request.user
    if not (user.is_superuser or getattr(user, "role", None) in CREATE_ROLES):
        raise PermissionDenied(_("您的角色不能登记故障。"))
    title = payload.title.strip()
    errors = []
    if not title:
        errors.append({"field": "title", "message": _("请填写故障标题。")})
    elif len(title) > 200:
        errors.append({"field": "title", "message": _("标题不能超过 200 个字。")})
    venue = org_unit = None
    if payload.venue is not None:
        venue = (
            Venue.objects.visible_to(request.user)
            .select_related("org_unit")
            .filter(pk=payload.venue)
            .first()
        )
        if venue is None:
            errors.append({"field": "venue", "message": _("会场不存在或不在您的管理范围内。")})
        else:
            org_unit = venue.org_unit
    elif payload.org_unit is not None:
        org_unit = visible_unit(request.user, payload.org_unit)
        if org_unit is None:
            errors.append(
                {"field": "org_unit", "message": _("组织单元不存在或不在您的管理范围内。")}
            )
    else:
        errors.append({"field": "venue", "message": _("请指定会场或组织单元。")})
    if errors or org_unit is None:
        raise InvalidInputError(_("故障信息有误，请修改后重试。"), errors=errors)
    fault = services.fault_open(
        title=title,
        source=payload.source,
        org_unit=org_unit,
        venue=venue,
        severity=payload.severity,
        description=payload.description.strip(),
        by=request.user,
    )
    return Status(201, selectors.fault_get(user=request.user, pk=fault.pk))


# --- handling (SPEC §6.2) ----------------------------------------------------------------------------


class AssignIn(Schema):
    assignee: ObjectId = Field(
        description="staff id: the county's technical maintenance or network ops"
    )


class NoteIn(Schema):
    note: str = Field("", max_length=1000)


class ReasonIn(Schema):
    reason: str = Field(description="why the restored fault is open again", max_length=1000)


ACTION_RESPONSES = {200: FaultDetailOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


def _handle(request: HttpRequest, fault_id: int, action, **kwargs):
    fault = selectors.fault_get(user=request.user, pk=fault_id)
    action(fault, by=request.user, **kwargs)
    return selectors.fault_get(user=request.user, pk=fault_id)


@router.post(
    "/faults/{int:fault_id}/acknowledge",
    response=ACTION_RESPONSES,
    summary="Network operations has the fault (open → acknowledged)",
)
@idempotent
def fault_acknowledge(request: HttpRequest, fault_id: int):
    return _handle(request, fault_id, services.fault_acknowledge, via="api")


@router.post(
    "/faults/{int:fault_id}/assign",
    response=ACTION_RESPONSES,
    summary="Send someone: the county's technical maintenance or network ops itself",
)
@idempotent
def fault_assign(request: HttpRequest, fault_id: int, payload: AssignIn):
    return _handle(request, fault_id, services.fault_assign, assignee=payload.assignee)


@router.post(
    "/faults/{int:fault_id}/on-site",
    response=ACTION_RESPONSES,
    summary="The assignee is at the venue",
)
@idempotent
def fault_on_site(request: HttpRequest, fault_id: int, payload: NoteIn | None = None):
    return _handle(
        request, fault_id, services.fault_on_site, note=(payload.note if payload else "").strip()
    )


@router.post(
    "/faults/{int:fault_id}/restore",
    response=ACTION_RESPONSES,
    summary="Service is back; the venue task returns to its place",
)
@idempotent
def fault_restore(request: HttpRequest, fault_id: int, payload: NoteIn | None = None):
    return _handle(
        request, fault_id, services.fault_restore, note=(payload.note if payload else "").strip()
    )


@router.post(
    "/faults/{int:fault_id}/close",
    response=ACTION_RESPONSES,
    summary="Close a restored fault",
)
@idempotent
def fault_close(request: HttpRequest, fault_id: int, payload: NoteIn | None = None):
    return _handle(
        request, fault_id, services.fault_close, note=(payload.note if payload else "").strip()
    )


@router.post(
    "/faults/{int:fault_id}/reopen",
    response=ACTION_RESPONSES,
    summary="Open a restored fault again, with the reason",
)
@idempotent
def fault_reopen(request: HttpRequest, fault_id: int, payload: ReasonIn):
    return _handle(request, fault_id, services.fault_reopen, reason=payload.reason)

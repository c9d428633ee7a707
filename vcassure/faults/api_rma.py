"""RMA and spares (SPEC §6.2): `GET /api/rma?state=&org_unit=`, `POST /api/rma`,
`PATCH /api/rma/{id}` (and `GET /api/rma/{id}` with its history), `GET /api/spares?org_unit=&kind=`.
Every id in a path or a body is fetched through `visible_to`: another scope's is a 404."""

from datetime import date
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from vcassure.core.api import LimitOffsetPagination
from vcassure.core.idempotency import idempotent
from vcassure.core.schemas import ErrorOut, LocalDatetime, ObjectId
from vcassure.faults import rma_selectors as selectors
from vcassure.faults import shipments as services
from vcassure.faults.models import Fault
from vcassure.faults.rma_models import Shipment, Spare
from vcassure.venues.models import Equipment

router = Router(tags=["rma"])


class ShipmentFilter(Schema):
    state: Shipment.State | None = None
    org_unit: ObjectId | None = Field(
        None, description="shipments of this unit and everything below it"
    )


class ShipmentIn(Schema):
    fault: ObjectId | None = Field(None, description="the fault the equipment failed in, optional")
    equipment: ObjectId = Field(description="the faulty equipment (serial) being shipped")
    carrier: str = Field(description="sf, ems, jd or other")
    tracking_number: str = Field(
        max_length=64,
        description="checked against the carrier's format: SF + 12–15 digits; EMS 13 digits or "
        "S10 (EA123456785CN, check digit verified); JD + 13–15 letters or digits; other 6–30",
    )
    expected_return: date | None = None
    loaner: ObjectId | None = Field(
        None, description="a spare of the venue's county or city lent meanwhile, optional"
    )
    note: str = Field("", max_length=500)


class ShipmentPatch(Schema):
    fault: ObjectId | None = None
    equipment: ObjectId | None = None
    carrier: str | None = None
    tracking_number: str | None = Field(None, max_length=64)
    expected_return: date | None = None
    loaner: ObjectId | None = Field(None, description="null takes the lent spare back")
    state: str | None = Field(
        None, description="one step on: shipped → received → repaired → returned → closed"
    )
    note: str = Field("", max_length=500)


class ShipmentEventOut(Schema):
    kind: str
    from_state: str
    to_state: str
    at: LocalDatetime
    actor_name: str
    note: str

    @staticmethod
    def resolve_actor_name(obj) -> str:
        return (obj.actor.get_full_name() or obj.actor.username) if obj.actor_id else ""


class ShipmentOut(Schema):
    id: int
    fault: int | None
    equipment: int
    equipment_kind: str
    equipment_model: str
    serial_number: str
    venue: int
    venue_name: str
    org_unit: int
    integrator: str
    carrier: str
    tracking_number: str
    state: str
    shipped_at: LocalDatetime
    received_at: LocalDatetime
    repaired_at: LocalDatetime
    returned_at: LocalDatetime
    closed_at: LocalDatetime
    expected_return: date | None
    is_overdue: bool
    loaner: int | None
    loaned_at: LocalDatetime
    loan_returned_at: LocalDatetime

    @staticmethod
    def resolve_fault(obj) -> int | None:
        return obj.fault_id

    @staticmethod
    def resolve_equipment(obj) -> int:
        return obj.equipment_id

    @staticmethod
    def resolve_equipment_kind(obj) -> str:
        return obj.equipment.kind

    @staticmethod
    def resolve_equipment_model(obj) -> str:
        return obj.equipment.model

    @staticmethod
    def resolve_serial_number(obj) -> str:
        return obj.equipment.serial_number

    @staticmethod
    def resolve_venue(obj) -> int:
        return obj.equipment.venue_id

    @staticmethod
    def resolve_venue_name(obj) -> str:
        return obj.equipment.venue.name

    @staticmethod
    def resolve_org_unit(obj) -> int:
        return obj.org_unit_id

    @staticmethod
    def resolve_integrator(obj) -> str:
        return obj.equipment.integrator.name if obj.equipment.integrator_id else ""

    @staticmethod
    def resolve_loaner(obj) -> int | None:
        return obj.loaner_id


class ShipmentDetailOut(ShipmentOut):
    events: list[ShipmentEventOut]

    @staticmethod
    def resolve_events(obj) -> list:
        return list(selectors.shipment_event_list(obj))


class SpareFilter(Schema):
    org_unit: ObjectId | None = Field(None, description="spares of this unit and below it")
    kind: Equipment.Kind | None = None


class SpareOut(Schema):
    id: int
    org_unit: int
    org_unit_name: str
    kind: str
    model: str
    available: int
    on_loan: int
    minimum: int
    below_minimum: bool

    @staticmethod
    def resolve_org_unit(obj) -> int:
        return obj.org_unit_id

    @staticmethod
    def resolve_org_unit_name(obj) -> str:
        return obj.org_unit.name

    @staticmethod
    def resolve_below_minimum(obj) -> bool:
        return obj.is_below_minimum


def _visible(request: HttpRequest, model: Any, pk: int | None) -> Any:
    """The object if the caller may see it; DoesNotExist (404) when missing or another scope's."""
    if pk is None:
        return None
    manager = model.objects.visible_to(request.user)
    if model is Equipment:
        manager = manager.select_related("venue__org_unit", "integrator")
    elif model is Spare:
        manager = manager.select_related("org_unit")
    return manager.get(pk=pk)


@router.get("/rma", response=list[ShipmentOut], summary="RMA shipments in scope, overdue first")
@paginate(LimitOffsetPagination)
def rma_list(request: HttpRequest, filters: Query[ShipmentFilter]):
    return selectors.shipment_list(
        user=request.user, state=filters.state or "", org_unit=filters.org_unit
    )


@router.get(
    "/rma/{int:shipment_id}",
    response={200: ShipmentDetailOut, 404: ErrorOut},
    summary="An RMA shipment with its history",
)
def rma_detail(request: HttpRequest, shipment_id: int):
    return selectors.shipment_get(user=request.user, pk=shipment_id)


@router.post(
    "/rma",
    response={201: ShipmentDetailOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut},
    summary="Ship faulty equipment to its integrator, optionally lending a spare meanwhile",
)
@idempotent
def rma_create(request: HttpRequest, payload: ShipmentIn):
    services.check_can_manage(request.user)
    shipment = services.shipment_create(
        by=request.user,
        equipment=_visible(request, Equipment, payload.equipment),
        fault=_visible(request, Fault, payload.fault),
        loaner=_visible(request, Spare, payload.loaner),
        carrier=payload.carrier,
        tracking_number=payload.tracking_number,
        expected_return=payload.expected_return,
        note=payload.note.strip(),
    )
    return Status(201, selectors.shipment_get(user=request.user, pk=shipment.pk))


@router.patch(
    "/rma/{int:shipment_id}",
    response={200: ShipmentDetailOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut},
    summary="Change a shipment or move it one step on; returned brings the lent spare back",
)
def rma_patch(request: HttpRequest, shipment_id: int, payload: ShipmentPatch):
    shipment = selectors.shipment_get(user=request.user, pk=shipment_id)
    given = payload.model_fields_set
    changes: dict[str, Any] = {}
    if "fault" in given:
        changes["fault"] = _visible(request, Fault, payload.fault)
    if "equipment" in given and payload.equipment is not None:
        changes["equipment"] = _visible(request, Equipment, payload.equipment)
    if "loaner" in given:
        changes["loaner"] = _visible(request, Spare, payload.loaner)
    for name in ("carrier", "tracking_number", "state"):
        if name in given and getattr(payload, name) is not None:
            changes[name] = getattr(payload, name)
    if "expected_return" in given:
        changes["expected_return"] = payload.expected_return
    services.shipment_update(shipment, by=request.user, note=payload.note.strip(), **changes)
    return selectors.shipment_get(user=request.user, pk=shipment.pk)


@router.get("/spares", response=list[SpareOut], summary="Spare equipment per county and city")
@paginate(LimitOffsetPagination)
def spare_list(request: HttpRequest, filters: Query[SpareFilter]):
    return selectors.spare_list(
        user=request.user, org_unit=filters.org_unit, kind=filters.kind or ""
    )

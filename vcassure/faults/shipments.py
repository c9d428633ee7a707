"""Writes for RMA and spares (C8): ship faulty equipment to its integrator, move the shipment
through shipped → received → repaired → returned → closed, lend a spare to the venue meanwhile
and take it back when the equipment returns. Every move is a ShipmentEvent, an audit record and,
for each swap, a line of the equipment's history (venues.services.equipment_event_record).

Stock never goes negative: lending is one conditional UPDATE (`available > 0`, F() arithmetic),
so of two dispatchers lending the last spare at once the second updates no row and is refused;
the CheckConstraint (available >= 0) is the database's own guard behind it."""

from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.translation import gettext as _

from vcassure.accounts.types import UserLike, actor
from vcassure.core import clock
from vcassure.core.errors import ConflictError, InvalidInputError
from vcassure.core.services import audit_record
from vcassure.faults.models import Fault
from vcassure.faults.permissions import can_handle_fault
from vcassure.faults.rma_models import (
    Shipment,
    ShipmentEvent,
    Spare,
    normalise_tracking_number,
)
from vcassure.faults.shipment_checks import (
    check_carrier_and_number,
    check_expected_return,
    check_links,
    refuse_if_any,
)
from vcassure.orgs.models import OrgUnit
from vcassure.venues.models import Equipment, EquipmentEvent
from vcassure.venues.services import equipment_event_record


def rma_ref(shipment: Shipment) -> str:
    return f"rma:{shipment.pk}"


def check_can_manage(user: "UserLike | None") -> None:
    """Shipments and loans are handled by whoever handles faults: managers, dispatchers, network
    operations and technical maintenance. `None` is the system itself."""
    if user is not None and not can_handle_fault(user):
        raise PermissionDenied(_("只有网络运行部、技术维护部、调度员和负责人可以办理返修和备件。"))


def _event(shipment: Shipment, kind: str, *, at, by, note: str = "", from_state="", to_state=""):
    return ShipmentEvent.objects.create(
        shipment=shipment,
        kind=kind,
        at=at,
        actor=actor(by),
        note=note[:500],
        from_state=from_state,
        to_state=to_state,
    )


def _lend(shipment: Shipment, spare: Spare, *, by, at) -> None:
    """Take one spare off the shelf for the shipment's venue: one conditional UPDATE."""
    taken = Spare.objects.filter(pk=spare.pk, available__gt=0).update(
        available=F("available") - 1, on_loan=F("on_loan") + 1, updated_at=at
    )
    if not taken:
        raise ConflictError(
            _("备件“%(spare)s”已无库存，不能借出。") % {"spare": str(spare)},
            errors=[{"field": "loaner", "message": _("该备件在库数量为 0。")}],
            code="out_of_stock",
        )
    shipment.loaner, shipment.loaned_at, shipment.loan_returned_at = spare, at, None
    _event(shipment, ShipmentEvent.Kind.LOANER_OUT, at=at, by=by, note=str(spare))
    equipment_event_record(
        equipment=shipment.equipment,
        kind=EquipmentEvent.Kind.LOANER_IN,
        at=at,
        by=by,
        reference=rma_ref(shipment),
        note=_("借用 %(unit)s 备件 %(spare)s") % {"unit": spare.org_unit.name, "spare": str(spare)},
    )


def _take_back(shipment: Shipment, *, by, at) -> None:
    """The lent spare is back on the shelf."""
    spare = shipment.loaner
    assert spare is not None
    Spare.objects.filter(pk=spare.pk, on_loan__gt=0).update(
        available=F("available") + 1, on_loan=F("on_loan") - 1, updated_at=at
    )
    shipment.loan_returned_at = at
    _event(shipment, ShipmentEvent.Kind.LOANER_BACK, at=at, by=by, note=str(spare))
    equipment_event_record(
        equipment=shipment.equipment,
        kind=EquipmentEvent.Kind.LOANER_OUT,
        at=at,
        by=by,
        reference=rma_ref(shipment),
        note=_("归还 %(unit)s 备件 %(spare)s") % {"unit": spare.org_unit.name, "spare": str(spare)},
    )


@transaction.atomic
def shipment_create(
    *,
    by: "UserLike | None",
    equipment: Equipment,
    carrier: str,
    tracking_number: str,
    fault: Fault | None = None,
    expected_return: date | None = None,
    loaner: Spare | None = None,
    note: str = "",
) -> Shipment:
    """Ship the equipment to its integrator. The caller has fetched equipment, fault and loaner
    through `visible_to` (another scope's id is a 404 before this runs)."""
    check_can_manage(by)
    carrier = (carrier or "").strip().lower()
    tracking_number = normalise_tracking_number(tracking_number)
    now = clock.now()
    errors = check_carrier_and_number(carrier, tracking_number)
    errors += check_links(equipment=equipment, fault=fault, loaner=loaner)
    errors += check_expected_return(expected_return, clock.localnow().date())
    refuse_if_any(errors)
    try:
        with transaction.atomic():
            shipment = Shipment.objects.create(
                fault=fault,
                equipment=equipment,
                org_unit=equipment.venue.org_unit,
                carrier=carrier,
                tracking_number=tracking_number,
                shipped_at=now,
                expected_return=expected_return,
                note=note[:500],
                created_by=actor(by),
            )
    except IntegrityError as exc:  # the same number entered at the same moment by someone else
        raise InvalidInputError(
            _("运单号“%(number)s”已登记过，请勿重复登记。") % {"number": tracking_number},
            errors=[{"field": "tracking_number", "message": _("运单号重复。")}],
        ) from exc
    _event(
        shipment,
        ShipmentEvent.Kind.CREATED,
        at=now,
        by=by,
        to_state=Shipment.State.SHIPPED,
        note=f"{shipment.get_carrier_display()} {tracking_number}",
    )
    equipment_event_record(
        equipment=equipment,
        kind=EquipmentEvent.Kind.SENT_FOR_REPAIR,
        at=now,
        by=by,
        reference=rma_ref(shipment),
        note=_("%(carrier)s %(number)s 寄往 %(integrator)s")
        % {
            "carrier": shipment.get_carrier_display(),
            "number": tracking_number,
            "integrator": equipment.integrator.name
            if equipment.integrator is not None
            else _("集成商"),
        },
    )
    if loaner is not None:
        _lend(shipment, loaner, by=by, at=now)
        shipment.save(update_fields=["loaner", "loaned_at", "loan_returned_at", "updated_at"])
    audit_record(
        actor=by,
        action="rma.create",
        obj=shipment,
        changes={
            "equipment": equipment.pk,
            "fault": fault.pk if fault else None,
            "loaner": loaner.pk if loaner else None,
        },
    )
    return shipment


UNSET: Any = object()


@transaction.atomic
def shipment_update(
    shipment: Shipment,
    *,
    by: "UserLike | None",
    fault: Any = UNSET,
    equipment: Any = UNSET,
    carrier: Any = UNSET,
    tracking_number: Any = UNSET,
    expected_return: Any = UNSET,
    loaner: Any = UNSET,
    state: Any = UNSET,
    note: str = "",
) -> Shipment:
    """Change what was given (the others stay) and, with `state`, move one step on. A returned
    shipment brings its lent spare back to the shelf. Refused as a whole: nothing half-written."""
    check_can_manage(by)
    shipment = (
        Shipment.objects.select_for_update(of=("self",))
        .select_related("equipment__venue__org_unit", "loaner__org_unit", "fault")
        .get(pk=shipment.pk)
    )
    if shipment.state == Shipment.State.CLOSED:
        raise ConflictError(_("返修单已关闭，不能再修改。"), code="closed")
    now = clock.now()
    changed: dict[str, Any] = {}
    errors: list[dict[str, str]] = []

    relinks = (equipment is not UNSET and equipment.pk != shipment.equipment_id) or (
        fault is not UNSET and (fault.pk if fault else None) != shipment.fault_id
    )
    if relinks and shipment.state != Shipment.State.SHIPPED:
        raise ConflictError(
            _("集成商签收后不能再更换送修设备或关联故障。"), code="equipment_locked"
        )
    new_equipment = shipment.equipment if equipment is UNSET else equipment
    new_fault = shipment.fault if fault is UNSET else fault
    if carrier is not UNSET or tracking_number is not UNSET:
        new_carrier = shipment.carrier if carrier is UNSET else (carrier or "").strip().lower()
        new_number = (
            shipment.tracking_number
            if tracking_number is UNSET
            else normalise_tracking_number(tracking_number)
        )
        errors += check_carrier_and_number(new_carrier, new_number, exclude_pk=shipment.pk)
    else:
        new_carrier, new_number = shipment.carrier, shipment.tracking_number
    loaner_changes = loaner is not UNSET and (loaner.pk if loaner else None) != (
        shipment.loaner_id if shipment.has_loaner_out else None
    )
    errors += check_links(
        equipment=new_equipment,
        fault=new_fault,
        loaner=loaner if loaner_changes and loaner is not None else None,
    )
    if expected_return is not UNSET:
        errors += check_expected_return(
            expected_return, shipment.shipped_at.astimezone(clock.localnow().tzinfo).date()
        )
    refuse_if_any(errors)

    if state is not UNSET and state != shipment.state:
        if state not in Shipment.State.values:
            raise InvalidInputError(
                _("未知的返修状态“%(state)s”。") % {"state": str(state)[:20]},
                errors=[
                    {
                        "field": "state",
                        "message": _("状态应为 shipped、received、repaired、returned 或 closed。"),
                    }
                ],
            )
        if state == Shipment.State.RETURNED and shipment.state != Shipment.State.REPAIRED:
            raise ConflictError(
                _("设备尚未由集成商签收并修复(当前“%(current)s”)，不能登记寄回。")
                % {"current": shipment.get_state_display()},
                code="invalid_transition",
            )
    if loaner_changes and loaner is not None and shipment.state == Shipment.State.RETURNED:
        raise ConflictError(_("设备已寄回，无需再借用备件。"), code="already_returned")
    if loaner_changes and loaner is not None and shipment.has_loaner_out:
        raise ConflictError(
            _("该会场已借用备件“%(spare)s”，请先归还再换借。") % {"spare": str(shipment.loaner)},
            code="loaner_out",
        )

    if new_equipment.pk != shipment.equipment_id:
        shipment.equipment, shipment.org_unit = new_equipment, new_equipment.venue.org_unit
        changed["equipment"] = new_equipment.pk
    if (new_fault.pk if new_fault else None) != shipment.fault_id:
        shipment.fault = new_fault
        changed["fault"] = new_fault.pk if new_fault else None
    if (new_carrier, new_number) != (shipment.carrier, shipment.tracking_number):
        changed["tracking"] = f"{new_carrier}:{new_number}"
        shipment.carrier, shipment.tracking_number = new_carrier, new_number
    if expected_return is not UNSET and expected_return != shipment.expected_return:
        shipment.expected_return = expected_return
        changed["expected_return"] = expected_return.isoformat() if expected_return else None
    if changed:
        _event(
            shipment,
            ShipmentEvent.Kind.EDITED,
            at=now,
            by=by,
            note=", ".join(f"{k}={v}" for k, v in changed.items()),
        )
    if loaner_changes:
        if shipment.has_loaner_out:  # loaner=None: the spare comes back early
            _take_back(shipment, by=by, at=now)
        if loaner is not None:
            _lend(shipment, loaner, by=by, at=now)
        changed["loaner"] = loaner.pk if loaner else None

    if state is not UNSET and state != shipment.state:
        before = shipment.state
        shipment.transition_to(state)  # 409 for a step the state does not allow
        setattr(shipment, Shipment.STEP_FIELDS[state], now)
        _event(
            shipment,
            ShipmentEvent.Kind.STATE,
            at=now,
            by=by,
            from_state=before,
            to_state=state,
            note=note,
        )
        if state == Shipment.State.RETURNED:
            equipment_event_record(
                equipment=shipment.equipment,
                kind=EquipmentEvent.Kind.BACK_FROM_REPAIR,
                at=now,
                by=by,
                reference=rma_ref(shipment),
                note=note or _("修复后寄回会场"),
            )
            if shipment.has_loaner_out:
                _take_back(shipment, by=by, at=now)
        changed["state"] = state
    shipment.save()
    if changed:
        audit_record(actor=by, action="rma.update", obj=shipment, changes=changed)
    return shipment


def shipment_loaner_return(shipment: Shipment, *, by: "UserLike | None") -> Shipment:
    """The lent spare comes back before the shipment does (the spares page's return action)."""
    if not shipment.has_loaner_out:
        raise ConflictError(_("该返修单没有借出中的备件。"), code="no_loaner")
    return shipment_update(shipment, by=by, loaner=None)


@transaction.atomic
def spare_create(
    *,
    by: "UserLike | None",
    org_unit: OrgUnit,
    kind: str,
    model: str,
    available: int = 0,
    minimum: int = 1,
) -> Spare:
    check_can_manage(by)
    errors = []
    if org_unit.level not in (OrgUnit.Level.CITY, OrgUnit.Level.COUNTY):
        errors.append({"field": "org_unit", "message": _("备件由县或市保管。")})
    if kind not in Equipment.Kind.values:
        errors.append({"field": "kind", "message": _("未知的设备类型。")})
    if not model.strip():
        errors.append({"field": "model", "message": _("请填写型号。")})
    if available < 0 or minimum < 0:
        errors.append({"field": "available", "message": _("数量不能为负数。")})
    if Spare.objects.filter(org_unit=org_unit, kind=kind, model=model.strip()).exists():
        errors.append({"field": "model", "message": _("该单位已有同类型同型号的备件。")})
    refuse_if_any(errors)
    spare = Spare.objects.create(
        org_unit=org_unit, kind=kind, model=model.strip(), available=available, minimum=minimum
    )
    audit_record(actor=by, action="spare.create", obj=spare, changes={"available": available})
    return spare

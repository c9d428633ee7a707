"""Reads for RMA and spares: every list starts from `visible_to(user)`; overdue shipments first."""

from django.db.models import Case, IntegerField, Q, QuerySet, Value, When

from vcassure.accounts.types import UserLike
from vcassure.faults.rma_models import Shipment, ShipmentEvent, ShipmentQuerySet, Spare
from vcassure.venues.models import EquipmentEvent


def shipment_list(
    *,
    user: UserLike,
    state: str = "",
    org_unit: int | None = None,
    overdue: bool = False,
    fault: int | None = None,
) -> QuerySet[Shipment]:
    qs = Shipment.objects.visible_to(user).select_related(
        "equipment__venue", "equipment__integrator", "org_unit", "fault", "loaner__org_unit"
    )
    if state:
        qs = qs.filter(state=state)
    if org_unit is not None:
        qs = qs.in_visible_unit(user, org_unit)
    if overdue:
        qs = qs.overdue()
    if fault is not None:
        qs = qs.filter(fault_id=fault)
    return qs.annotate(
        overdue_rank=Case(
            When(Shipment.objects.overdue_q(), then=Value(0)),
            default=Value(1),
            output_field=IntegerField(),
        )
    ).order_by("overdue_rank", "expected_return", "-shipped_at", "-id")


def shipment_get(*, user: UserLike, pk: int) -> Shipment:
    return (
        Shipment.objects.visible_to(user)
        .select_related(
            "equipment__venue__org_unit",
            "equipment__integrator",
            "org_unit",
            "fault",
            "loaner__org_unit",
        )
        .get(pk=pk)
    )


def shipment_event_list(shipment: Shipment) -> QuerySet[ShipmentEvent]:
    return shipment.events.select_related("actor").order_by("at", "id")


def equipment_history(shipment: Shipment) -> QuerySet[EquipmentEvent]:
    return (
        EquipmentEvent.objects.filter(equipment_id=shipment.equipment_id)
        .select_related("actor")
        .order_by("-at", "-id")
    )


def spare_list(
    *,
    user: UserLike,
    org_unit: int | None = None,
    kind: str = "",
    below_minimum: bool = False,
) -> QuerySet[Spare]:
    qs = Spare.objects.visible_to(user).select_related("org_unit")
    if org_unit is not None:
        qs = qs.in_visible_unit(user, org_unit)
    if kind:
        qs = qs.filter(kind=kind)
    if below_minimum:
        qs = qs.below_minimum()
    return qs.order_by("org_unit__code", "kind", "model")


def spare_get(*, user: UserLike, pk: int) -> Spare:
    return Spare.objects.visible_to(user).select_related("org_unit").get(pk=pk)


def spares_for_equipment(*, user: UserLike, equipment) -> QuerySet[Spare]:
    """Spares the caller may lend for this equipment: same kind, held by the venue's county or
    city, with at least one on the shelf."""
    return (
        Spare.objects.visible_to(user)
        .filter(
            kind=equipment.kind,
            org_unit_id__in=equipment.venue.org_unit.chain_ids,
            available__gt=0,
        )
        .select_related("org_unit")
    )


def shipments_awaiting_loaner(*, user: UserLike, spare: Spare) -> QuerySet[Shipment]:
    """Open shipments a spare could stand in for: same kind, under the spare's unit, no spare
    lent yet."""
    return (
        Shipment.objects.visible_to(user)
        .in_subtree(spare.org_unit)
        .filter(state__in=ShipmentQuerySet.OPEN_STATES)
        .filter(equipment__kind=spare.kind)
        .filter(Q(loaner__isnull=True) | Q(loan_returned_at__isnull=False))
        .select_related("equipment__venue")
    )


def shipments_with_loaner_out(*, user: UserLike, spare: Spare) -> QuerySet[Shipment]:
    return (
        Shipment.objects.visible_to(user)
        .filter(loaner=spare, loan_returned_at__isnull=True)
        .select_related("equipment__venue")
    )

from datetime import datetime
from typing import Any

from django.db import transaction

from vcassure.accounts.types import UserLike, actor
from vcassure.core.services import audit_record, model_changes
from vcassure.venues.models import Equipment, EquipmentEvent, Venue

VENUE_FIELDS = [
    "code",
    "name",
    "system",
    "org_unit",
    "role",
    "address",
    "room",
    "primary_staff",
    "backup_staff",
    "is_active",
]


@transaction.atomic
def venue_create(*, by: UserLike, **fields: Any) -> Venue:
    venue = Venue(**fields)
    venue.full_clean()
    venue.save()
    audit_record(actor=by, action="venue.create", obj=venue, changes={"code": venue.code})
    return venue


@transaction.atomic
def venue_update(venue: Venue, *, by: UserLike, **fields: Any) -> Venue:
    before = {name: getattr(venue, name) for name in VENUE_FIELDS}
    for name, value in fields.items():
        setattr(venue, name, value)
    venue.full_clean()
    venue.save()
    changes = model_changes(venue, VENUE_FIELDS, before)
    if changes:
        audit_record(actor=by, action="venue.update", obj=venue, changes=changes)
    return venue


def equipment_event_record(
    *,
    equipment: Equipment,
    kind: str,
    at: datetime,
    by: "UserLike | None" = None,
    reference: str = "",
    note: str = "",
) -> EquipmentEvent:
    """One line of the equipment's history (a swap: sent for repair, back, a spare lent in its
    place). Called inside the caller's transaction."""
    return EquipmentEvent.objects.create(
        equipment=equipment,
        kind=kind,
        at=at,
        actor=actor(by),
        reference=reference[:64],
        note=note[:500],
    )

from django.db.models import Q, QuerySet

from vcassure.accounts.types import UserLike
from vcassure.venues.models import CustomerSystem, Venue


def customer_system_list() -> QuerySet[CustomerSystem]:
    return CustomerSystem.objects.all()


def venue_list(
    *,
    user: UserLike,
    system: str = "",
    level: str = "",
    org_unit: int | None = None,
    q: str = "",
    role: str = "",
) -> QuerySet[Venue]:
    qs = (
        Venue.objects.visible_to(user)
        .filter(is_active=True)
        .select_related("system", "org_unit", "primary_staff", "backup_staff")
    )
    if system:
        qs = qs.filter(system__code=system)
    if level:
        qs = qs.filter(org_unit__level=level)
    if role:
        qs = qs.filter(role=role)
    if org_unit:
        qs = qs.in_visible_unit(user, org_unit)
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(code__icontains=q) | Q(address__icontains=q))
    return qs


def venue_get(*, user: UserLike, pk: int) -> Venue:
    return (
        Venue.objects.visible_to(user)
        .select_related("system", "org_unit", "org_unit__parent", "primary_staff", "backup_staff")
        .prefetch_related("equipment__integrator", "fibre_routes")
        .get(pk=pk)
    )

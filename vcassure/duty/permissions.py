"""Pure predicates on what a role may do with duty rosters. Scope comes from visible_to."""

from vcassure.accounts.models import Role
from vcassure.accounts.types import UserLike

ROSTER_ROLES = {Role.ADMIN, Role.DISPATCHER, Role.MANAGER}


def can_manage_roster(user: UserLike) -> bool:
    """Create periods, assign shifts, approve swaps: dispatchers, managers, administrators."""
    return bool(user.is_authenticated and (user.is_superuser or user.role in ROSTER_ROLES))


def can_see_calendar_url(user: UserLike, staff) -> bool:
    """A person's secret feed address is shown to that person and to administrators only."""
    if not user.is_authenticated:
        return False
    return bool(user.is_administrator or (staff.user_id is not None and staff.user_id == user.pk))


def own_staff_id(user: UserLike) -> int | None:
    staff = getattr(user, "staff_profile", None) if user.is_authenticated else None
    return staff.pk if staff is not None and staff.is_active else None

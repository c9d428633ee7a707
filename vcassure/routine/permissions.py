"""What a role allows for routine work. Scope is applied by visible_to in selectors/services."""

from vcassure.accounts.models import Role
from vcassure.accounts.types import UserLike

MANAGE_ROLES = {Role.ADMIN, Role.DISPATCHER, Role.MANAGER}


def can_manage_plans(user: UserLike) -> bool:
    return bool(user.is_authenticated and (user.is_superuser or user.role in MANAGE_ROLES))


def can_do_inspection(user: UserLike, inspection) -> bool:
    """Its assignee, or someone who manages plans in its scope (on the person's behalf)."""
    staff = getattr(user, "staff_profile", None)
    if staff is not None and inspection.assignee_id == staff.pk:
        return True
    return can_manage_plans(user)

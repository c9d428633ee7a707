"""Pure predicates on what a person's place in the organisation allows (their department's kind).
Scope (which org subtree) is scoping.py's business."""

from vcassure.accounts.models import Role
from vcassure.accounts.types import UserLike
from vcassure.orgs.models import Department

TECHNICAL_DEPARTMENTS = {Department.Kind.NETWORK_OPS, Department.Kind.TECH_MAINTENANCE}
TECHNICAL_ROLES = {Role.SUPPORT, Role.MANAGER, Role.DISPATCHER}


def in_technical_department(user: UserLike) -> bool:
    """The person works in a city's network operations or a county's technical maintenance."""
    staff = getattr(user, "staff_profile", None)
    department = staff.department if staff is not None else None
    return department is not None and department.kind in TECHNICAL_DEPARTMENTS


def can_edit_device_settings(user: UserLike) -> bool:
    """Administrators, and the technical people of a city (network operations) or a county
    (technical maintenance): they own the devices' management addresses and credentials (probe
    settings)."""
    if not user.is_authenticated:
        return False
    if user.is_administrator:
        return True
    return user.role in TECHNICAL_ROLES and in_technical_department(user)

"""Pure predicates for faults. Scope (which faults) comes from Fault.objects.visible_to."""

from vcassure.accounts.models import Role
from vcassure.accounts.types import UserLike
from vcassure.orgs.models import Department

HANDLING_ROLES = {Role.ADMIN, Role.DISPATCHER, Role.MANAGER}
HANDLING_DEPARTMENTS = {Department.Kind.NETWORK_OPS, Department.Kind.TECH_MAINTENANCE}


def can_handle_fault(user: UserLike) -> bool:
    """Restore and close: managers, dispatchers, and support staff of network operations (the
    sole emergency interface) or technical maintenance (who carry out the repair)."""
    if not user.is_authenticated:
        return False
    if user.is_superuser or user.role in HANDLING_ROLES:
        return True
    staff = getattr(user, "staff_profile", None)
    department = staff.department if staff is not None else None
    return (
        user.role == Role.SUPPORT
        and department is not None
        and department.kind in HANDLING_DEPARTMENTS
    )

"""Pure predicates for faults. Scope (which faults) comes from Fault.objects.visible_to."""

from vcassure.accounts.models import Role
from vcassure.accounts.types import UserLike
from vcassure.orgs.permissions import in_technical_department

HANDLING_ROLES = {Role.ADMIN, Role.DISPATCHER, Role.MANAGER}


def can_handle_fault(user: UserLike) -> bool:
    """Restore and close: managers, dispatchers, and support staff of network operations (the
    sole emergency interface) or technical maintenance (who carry out the repair)."""
    if not user.is_authenticated:
        return False
    if user.is_superuser or user.role in HANDLING_ROLES:
        return True
    return user.role == Role.SUPPORT and in_technical_department(user)

"""Pure predicates on what a user's role allows for meetings. Scope (which org subtree) is
checked by the services and by `visible_to`/`owned_by`."""

from vcassure.accounts.models import Role

MANAGE_ROLES = {Role.ADMIN, Role.DISPATCHER, Role.MANAGER}


def can_manage_meetings(user) -> bool:
    """Create, edit, publish, reschedule and cancel meetings: admins, dispatchers and managers.
    Support staff, integrators and read-only users only follow them."""
    return bool(user.is_authenticated and (user.is_superuser or user.role in MANAGE_ROLES))

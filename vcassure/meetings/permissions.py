"""Pure predicates on what a user's role allows for meetings. Scope (which org subtree) is
checked by the services and by `visible_to`/`owned_by`."""

from vcassure.accounts.models import Role
from vcassure.accounts.types import UserLike

MANAGE_ROLES = {Role.ADMIN, Role.DISPATCHER, Role.MANAGER}


def can_manage_meetings(user: UserLike) -> bool:
    """Create, edit, publish, reschedule and cancel meetings: admins, dispatchers and managers.
    Support staff, integrators and read-only users only follow them."""
    return bool(user.is_authenticated and (user.is_superuser or user.role in MANAGE_ROLES))


def can_do_field_work(user: UserLike, task) -> bool:
    """Check in and record checklist steps on a venue task: its assignee, or someone who manages
    meetings (a dispatcher, say, after a phone call with the person on site) acting on the
    assignee's behalf. Others who can see the task, a colleague of the same township or a read-only
    user, only follow it. Scope is the caller's: check_field_access answers 404 outside it."""
    staff = getattr(user, "staff_profile", None)
    if staff is not None and task.assignee_id == staff.pk:
        return True
    return can_manage_meetings(user)

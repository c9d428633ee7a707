from vcassure.accounts.models import Role
from vcassure.accounts.types import UserLike
from vcassure.orgs.scoping import scope_unit


def can_manage_im_groups(user: UserLike) -> bool:
    return bool(
        user.is_authenticated and (user.is_superuser or user.role in {Role.ADMIN, Role.DISPATCHER})
    )


def can_work_dispatch_desk(user: UserLike) -> bool:
    return bool(
        user.is_authenticated
        and (user.is_superuser or user.role in {Role.ADMIN, Role.DISPATCHER, Role.MANAGER})
    )


def can_read_demo_inbox(user: UserLike) -> bool:
    """Demo mode: administrators and the province's dispatch desk (the fakes hold every scope's
    messages, so a city or county dispatcher does not see them)."""
    if not user.is_authenticated:
        return False
    if user.is_superuser or user.role == Role.ADMIN:
        return True
    unit = scope_unit(user)
    return can_work_dispatch_desk(user) and unit is not None and unit.parent_id is None

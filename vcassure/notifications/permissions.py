from vcassure.accounts.models import Role
from vcassure.accounts.types import UserLike


def can_manage_im_groups(user: UserLike) -> bool:
    return bool(
        user.is_authenticated and (user.is_superuser or user.role in {Role.ADMIN, Role.DISPATCHER})
    )


def can_work_dispatch_desk(user: UserLike) -> bool:
    return bool(
        user.is_authenticated
        and (user.is_superuser or user.role in {Role.ADMIN, Role.DISPATCHER, Role.MANAGER})
    )

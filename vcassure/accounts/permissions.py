"""Pure predicates on what a user's role allows. Scope (which org subtree) is orgs' business."""

from vcassure.accounts.models import Role
from vcassure.accounts.types import UserLike

PHONE_ROLES = {Role.ADMIN, Role.DISPATCHER, Role.MANAGER}
IMPORT_ROLES = {Role.ADMIN, Role.DISPATCHER}


def can_see_phone_numbers(user: UserLike) -> bool:
    return bool(user.is_authenticated and (user.is_superuser or user.role in PHONE_ROLES))


def can_import_directory(user: UserLike) -> bool:
    return bool(user.is_authenticated and (user.is_superuser or user.role in IMPORT_ROLES))

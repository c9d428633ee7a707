from vcassure.accounts.types import UserLike


def can_manage_webhooks(user: UserLike) -> bool:
    return bool(user.is_authenticated and user.is_administrator)

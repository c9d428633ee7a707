from vcassure.accounts.types import UserLike


def can_manage_templates(user: UserLike) -> bool:
    """Checklist templates are the administrator's (SPEC C6: "custom templates")."""
    return bool(user.is_authenticated and user.is_administrator)

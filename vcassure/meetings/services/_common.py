"""Small helpers shared by the meetings services."""

from datetime import datetime
from typing import TYPE_CHECKING

from django.utils import timezone

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from vcassure.accounts.models import User


def actor(user: "User | AnonymousUser | None") -> "User | None":
    """The user to record as the actor: None for the system or an anonymous caller."""
    from vcassure.accounts.models import User

    return user if isinstance(user, User) and user.is_authenticated else None


def iso(value: datetime | None) -> str | None:
    return timezone.localtime(value).isoformat() if value else None

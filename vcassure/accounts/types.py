"""Who acts, as the type checker sees it.

`UserLike` is a request's user: what a view or an endpoint passes on as `request.user`, anonymous
until the login check. Selectors, permissions and services take it; a predicate answers False for
an anonymous user and a selector returns nothing. A service the system itself may call (a worker,
a probe, a script) takes `UserLike | None`, and `actor()` turns either into the `User | None` that
a `*_by` column stores.

The names are strings for the type checker only: importing auth models here would tie this
module's import to the app registry."""

from typing import TYPE_CHECKING, TypeAlias

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from vcassure.accounts.models import User

UserLike: TypeAlias = "User | AnonymousUser"


def actor(user: "UserLike | None") -> "User | None":
    """The user to record in a `*_by` column: None for the system or an anonymous caller."""
    return user if user is not None and user.is_authenticated else None

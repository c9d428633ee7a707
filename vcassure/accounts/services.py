import secrets
from datetime import timedelta

from django.db import transaction

from vcassure.accounts.models import ApiToken, User
from vcassure.core import clock
from vcassure.core.services import audit_record

TOKEN_PREFIX = "vca_"  # noqa: S105 - a public prefix, not a secret


@transaction.atomic
def api_token_create(*, user: User, name: str = "", by: User | None = None) -> tuple[ApiToken, str]:
    """Create a token and return it with its plain key, which is never stored."""
    key = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user, name=name, prefix=key[:12], key_hash=ApiToken.hash_key(key)
    )
    audit_record(
        actor=by or user, action="api_token.create", obj=token, changes={"user": user.username}
    )
    return token, key


def api_token_authenticate(key: str) -> User | None:
    if not key or not key.startswith(TOKEN_PREFIX):
        return None
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=ApiToken.hash_key(key), revoked_at__isnull=True)
        .first()
    )
    if token is None or not token.user.is_active:
        return None
    now = clock.now()
    # Touch at most once a minute: a token used in a burst must not write on every request.
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=1):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user

"""Acknowledgement links: signed, expiring, bound to one person and one notification, single use
(the nonce is stored on the notification; the first use marks it used)."""

import secrets
from dataclasses import dataclass

from django.conf import settings
from django.core import signing

SALT = "vcassure.ack"


@dataclass(frozen=True)
class AckClaim:
    notification_id: int
    staff_id: int
    nonce: str


def new_nonce() -> str:
    return secrets.token_urlsafe(12)


def make_token(*, notification_id: int, staff_id: int, nonce: str) -> str:
    return signing.dumps(
        {"n": notification_id, "s": staff_id, "k": nonce}, salt=SALT, compress=True
    )


def read_token(token: str) -> AckClaim:
    """Raises signing.SignatureExpired (too old) or signing.BadSignature (forged or damaged)."""
    data = signing.loads(token, salt=SALT, max_age=settings.ACK_LINK_MAX_AGE_HOURS * 3600)
    try:
        return AckClaim(int(data["n"]), int(data["s"]), str(data["k"]))
    except (KeyError, TypeError, ValueError) as exc:
        raise signing.BadSignature("malformed acknowledgement token") from exc


def ack_url(token: str) -> str:
    return f"{settings.PUBLIC_BASE_URL}/ack/{token}"

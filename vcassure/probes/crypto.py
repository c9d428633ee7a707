"""Probe credentials (SNMP communities, v3 keys) encrypted at rest with Fernet. The key is
PROBE_CREDENTIALS_KEY (a Fernet key) when set, otherwise derived from SECRET_KEY."""

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings


def _fernet() -> Fernet:
    key = getattr(settings, "PROBE_CREDENTIALS_KEY", "") or ""
    if not key:
        digest = hashlib.sha256(b"vcassure.probes.credentials:" + settings.SECRET_KEY.encode())
        key = base64.urlsafe_b64encode(digest.digest()).decode()
    return Fernet(key.encode() if isinstance(key, str) else key)


def encrypt(value: str) -> str:
    return _fernet().encrypt(value.encode()).decode() if value else ""


def decrypt(token: str) -> str:
    """The clear value; empty when the token is empty or was made with another key."""
    if not token:
        return ""
    try:
        return _fernet().decrypt(token.encode()).decode()
    except (InvalidToken, ValueError):
        return ""


def masked(value: str) -> str:
    """What a page or an API may show of a secret: that it is set, never the value."""
    return "••••••" if value else ""

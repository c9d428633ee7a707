"""Test settings: the same code, a throw-away var directory, fast hashing."""

import os
import tempfile
from pathlib import Path

from .base import *  # noqa: F403
from .base import HUEY, OUTBOUND_URL_ALLOWLIST

SECRET_KEY = "test-secret-key-not-for-production-0123456789abcdef"
DEBUG = False
ALLOWED_HOSTS = ["*"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
_tmp = Path(tempfile.mkdtemp(prefix="vcassure-test-"))
MEDIA_ROOT = _tmp / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
if HUEY["huey_class"] == "huey.SqliteHuey":
    HUEY = {**HUEY, "filename": str(_tmp / "huey.sqlite3")}
LANGUAGE_CODE = os.environ.get("TEST_LANGUAGE_CODE", "zh-hans")
STATIC_ROOT = _tmp / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
# Worker threads in tests must not keep connections open past their task (the test database is
# dropped at the end of the run).
DATABASES["default"]["CONN_MAX_AGE"] = 0  # noqa: F405
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    # Checks that open the database outside pytest (makemigrations --check) get a throw-away file.
    DATABASES["default"]["NAME"] = str(_tmp / "test.sqlite3")  # noqa: F405
# The local fakes (tests/fakes) listen on this machine.
OUTBOUND_URL_ALLOWLIST = [*OUTBOUND_URL_ALLOWLIST, "127.0.0.1", "localhost"]
# Tests probe loopback only.
PROBE_ALLOWED_NETWORKS = ["127.0.0.0/8"]

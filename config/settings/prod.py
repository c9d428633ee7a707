"""Production: secrets and hosts from the environment, HTTPS-only cookies, HSTS."""

import copy
import os
from typing import Any

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import LOGGING, STORAGES, env_bool, env_list

DEBUG = False
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if len(SECRET_KEY) < 50:
    raise ImproperlyConfigured(
        "SECRET_KEY must be set to at least 50 random characters in production."
    )

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
SECURE_REDIRECT_EXEMPT = [r"^api/health$", r"^metrics$"]  # probes and Prometheus scrape plain HTTP
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
# gunicorn listens on loopback behind the reverse proxy: the client's address (login throttling, the
# audit log) is the one the proxy puts in X-Forwarded-For. A proxy elsewhere is named here.
TRUSTED_PROXIES = env_list("TRUSTED_PROXIES", "127.0.0.1,::1")

# Media: on the filesystem (MEDIA_ROOT) unless MEDIA_S3_BUCKET names a bucket of an S3-compatible
# store (django-storages; MinIO, Ceph and the like through MEDIA_S3_ENDPOINT_URL). Files are never
# served from the store directly: pages stream them after checking scope.
MEDIA_S3_BUCKET = os.environ.get("MEDIA_S3_BUCKET", "")
if MEDIA_S3_BUCKET:
    _storages: dict[str, dict[str, Any]] = {
        **STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": MEDIA_S3_BUCKET,
                "endpoint_url": os.environ.get("MEDIA_S3_ENDPOINT_URL") or None,
                "access_key": os.environ.get("MEDIA_S3_ACCESS_KEY_ID") or None,
                "secret_key": os.environ.get("MEDIA_S3_SECRET_ACCESS_KEY") or None,
                "region_name": os.environ.get("MEDIA_S3_REGION") or None,
                "location": os.environ.get("MEDIA_S3_PREFIX", "media"),
                "addressing_style": os.environ.get("MEDIA_S3_ADDRESSING_STYLE", "path"),
                "default_acl": None,  # the bucket's own policy: private
                "querystring_auth": True,
                "file_overwrite": False,
            },
        },
    }
    STORAGES = _storages

# Logs: one JSON object per line (time, level, logger, message, request_id), the same quiet
# loggers as base (httpx and SMTP would log URLs and addresses that carry tokens).
_logging: dict[str, Any] = copy.deepcopy(LOGGING)
_logging["formatters"]["json"] = {"()": "vcassure.core.logging.JsonFormatter"}
_logging.setdefault("filters", {})["request_id"] = {"()": "vcassure.core.logging.RequestIdFilter"}
_logging["handlers"]["console"]["formatter"] = "json"
_logging["handlers"]["console"]["filters"] = [
    *_logging["handlers"]["console"].get("filters", []),
    "request_id",
]
# The consumer (manage.py run_huey) adds a plain-text handler to "huey" unless it has one already.
_logging["loggers"]["huey"] = {
    **_logging["loggers"].get("huey", {}),
    "handlers": ["console"],
    "propagate": False,
}
LOGGING = _logging

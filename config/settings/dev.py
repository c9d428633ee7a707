"""The embedded default: SQLite, in-process worker, DEBUG on, a local secret."""

import os

from .base import *  # noqa: F403
from .base import VAR_DIR

DEBUG = True
SECRET_KEY = (
    os.environ.get("SECRET_KEY") or "dev-only-insecure-key-change-me-in-production-0123456789"
)
VAR_DIR.mkdir(parents=True, exist_ok=True)
(VAR_DIR / "staticfiles").mkdir(exist_ok=True)
# The demo's devices have made-up addresses: a development machine probes loopback only.
PROBE_ALLOWED_NETWORKS = ["127.0.0.0/8"]

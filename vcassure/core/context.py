"""Per-request context (client address) for the audit log, set by RequestContextMiddleware."""

from contextvars import ContextVar

client_ip: ContextVar[str | None] = ContextVar("client_ip", default=None)

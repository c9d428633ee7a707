"""Per-request context set by RequestContextMiddleware: the client address (for the audit log) and
the request id (for log lines)."""

from contextvars import ContextVar

client_ip: ContextVar[str | None] = ContextVar("client_ip", default=None)
request_id: ContextVar[str] = ContextVar("request_id", default="")

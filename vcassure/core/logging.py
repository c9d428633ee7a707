"""Structured logs for production (config/settings/prod.py, config/gunicorn.conf.py): one JSON object
per line with time, level, logger, message and the request id. No Django import here: gunicorn's
master process loads this before Django is set up."""

import logging
from datetime import UTC, datetime

from pythonjsonlogger.core import RESERVED_ATTRS
from pythonjsonlogger.json import JsonFormatter as _JsonFormatter

from vcassure.core import context

# Django attaches the request object to django.request records; its repr holds the full path, and
# the path of an acknowledgement or share link is a credential. Never serialise it.
NEVER_LOGGED = ("request", "server_time")


class CredentialPathFilter(logging.Filter):
    """For the development server's access log (the `django.server` logger: runserver, and so
    `manage.py run_platform`'s demo mode), which prints every request line: the path of an
    acknowledgement or share link is the credential, so it is printed with the token replaced, the
    way CredentialPathLogMiddleware logs refused requests."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and args and isinstance(args[0], str):
            # Imported here: this module is loaded before Django is set up; a request line is
            # logged only once it is.
            from vcassure.core.middleware import redacted_request_line

            record.args = (redacted_request_line(args[0]), *args[1:])
        return True


class RequestIdFilter(logging.Filter):
    """Adds `request_id` (empty outside a request) to every record."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not getattr(record, "request_id", ""):
            record.request_id = context.request_id.get()
        return True


class JsonFormatter(_JsonFormatter):
    """{"time": ISO 8601 UTC, "level", "logger", "message", "request_id", ...extra fields}."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("fmt", "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s")
        kwargs.setdefault(
            "rename_fields", {"asctime": "time", "levelname": "level", "name": "logger"}
        )
        kwargs.setdefault("reserved_attrs", [*RESERVED_ATTRS, *NEVER_LOGGED])
        kwargs.setdefault("json_ensure_ascii", False)
        super().__init__(*args, **kwargs)

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:  # noqa: N802 - logging's name
        return datetime.fromtimestamp(record.created, tz=UTC).isoformat(timespec="milliseconds")

    def add_fields(self, log_record: dict, record: logging.LogRecord, message_dict: dict) -> None:
        record.request_id = getattr(record, "request_id", "") or context.request_id.get()
        super().add_fields(log_record, record, message_dict)

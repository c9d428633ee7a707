"""gunicorn for production mode (scripts/prod-up.sh, and the benchmark's server):
`gunicorn config.wsgi -c config/gunicorn.conf.py`. Everything comes from the environment.

Sync workers: on this 2-core machine ASGI served a tenth of WSGI's requests, and every request is
short (the slow work is in the Huey consumers). One worker per core is the default; behind the
reverse proxy, which buffers slow clients, a sync worker is never held by a slow network."""

import os

from gunicorn.glogging import Logger

bind = f"{os.environ.get('BIND_HOST', '127.0.0.1')}:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
worker_class = "sync"
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))  # a worker silent this long is killed
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "20"))
keepalive = 2
backlog = 512
# Where workers keep their heartbeat files; a memory file system (/dev/shm) where /tmp is a slow disk.
worker_tmp_dir = os.environ.get("GUNICORN_WORKER_TMP_DIR") or None
# Restart a worker after this many requests (0: never), with jitter so they don't restart together.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "0"))
max_requests_jitter = max(0, max_requests // 10)
proc_name = "vcassure-web"
pidfile = os.environ.get("GUNICORN_PIDFILE") or None
# Every request line would carry acknowledgement tokens (/ack/<token>): the access log is off by
# default (the reverse proxy keeps one); GUNICORN_ACCESS_LOG=json writes one JSON object per
# request to stdout, tokens redacted.
_ACCESS = os.environ.get("GUNICORN_ACCESS_LOG", "off").strip().lower()
accesslog = "-" if _ACCESS == "json" else None
access_log_format = (
    '{"time": "%(t)s", "level": "INFO", "logger": "gunicorn.access", "remote": "%(h)s", '
    '"method": "%(m)s", "path": "%(U)s", "status": "%(s)s", "bytes": "%(B)s", '
    '"duration_ms": "%(M)s", "request_id": "%({x-request-id}o)s"}'
)
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info").lower()
# gunicorn's own messages as JSON lines too (vcassure/core/logging.py imports no Django).
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {"()": "vcassure.core.logging.JsonFormatter"},
        "line": {"format": "%(message)s"},
    },
    "handlers": {
        "error": {
            "class": "logging.StreamHandler",
            "formatter": "json",
            "stream": "ext://sys.stderr",
        },
        "access": {
            "class": "logging.StreamHandler",
            "formatter": "line",
            "stream": "ext://sys.stdout",
        },
    },
    "root": {"level": "WARNING", "handlers": ["error"]},
    "loggers": {
        "gunicorn.error": {"level": loglevel.upper(), "handlers": ["error"], "propagate": False},
        # With a logging dict gunicorn always calls the access logger: silence it unless asked for.
        "gunicorn.access": {
            "level": "INFO",
            "handlers": ["access"] if accesslog else [],
            "propagate": False,
        },
    },
}


def post_worker_init(worker) -> None:
    """The application is loaded. Load what the first requests would otherwise load while a user
    waits (_warm), then move what is alive now (Django, the project's modules, settings, URL
    patterns, compiled templates) out of the cyclic collector's reach (gc.freeze). Without the
    freeze every full collection walked all of it: pauses of 110-180 ms in a worker, a few times a
    minute, which were the slowest refreshes of the dashboard (`dashboard_http_2000`'s p99: 160-210
    ms against a p90 of 45)."""
    try:
        _warm(worker.log)
    except Exception:  # an optimisation: it never keeps a worker from serving
        worker.log.exception("worker warm-up failed; serving cold")
    _freeze()


def _warm(log) -> None:
    """Import every view (the URL patterns), compile every template of the project into the cached
    loader and load the translation catalogues, before the worker takes its first request: the
    first dashboard a fresh worker served took 1.3 s under load against 0.13 s for the next ones
    (`--scale 10`), and a worker restarted by max_requests would do it again in a meeting."""
    import time
    from pathlib import Path

    from django.conf import settings
    from django.template import TemplateDoesNotExist, TemplateSyntaxError, engines
    from django.template.utils import get_app_template_dirs
    from django.urls import get_resolver
    from django.utils import translation

    started = time.perf_counter()
    get_resolver().url_patterns  # noqa: B018 - imports every urls module and so every view
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            translation.gettext("保障任务")
    base = Path(settings.BASE_DIR).resolve()
    compiled = 0
    for engine in engines.all():
        for folder in (*engine.template_dirs, *get_app_template_dirs("templates")):
            root = Path(str(folder)).resolve()
            if not root.is_relative_to(base) or ".venv" in root.parts:
                continue  # the project's templates; those of the libraries load with them
            for path in sorted(root.rglob("*.html")):
                try:
                    engine.get_template(str(path.relative_to(root)))
                    compiled += 1
                except (TemplateDoesNotExist, TemplateSyntaxError, ValueError):
                    continue  # a fragment that is not a template on its own
    log.info(
        "worker warmed: %d templates in %.0f ms", compiled, 1000 * (time.perf_counter() - started)
    )


# Frozen again after these requests: what the first ones loaded for good (compiled templates, URL
# and translation caches). With the freeze at start only, full collections still took 60-95 ms.
FREEZE_AFTER_REQUESTS = (1, 10, 100)


def post_request(worker, req, environ, resp) -> None:
    if worker.nr in FREEZE_AFTER_REQUESTS:
        _freeze()


def _freeze() -> None:
    import gc

    gc.collect()
    gc.freeze()


# gunicorn's control socket (gunicornc) is off: several instances on one machine (production mode,
# the benchmark's server) would share its default path.
control_socket_disable = True
if os.environ.get("GUNICORN_CONTROL_SOCKET"):
    control_socket_disable, control_socket = False, os.environ["GUNICORN_CONTROL_SOCKET"]


class RedactingLogger(Logger):
    """gunicorn's logger with link tokens cut out of the logged path and request line: every route
    with a credential parameter (acknowledgement and share links, their API), as the request
    logger does."""

    def atoms(self, resp, req, environ, request_time):
        # Imported here: the master reads this file before Django is set up; a worker has loaded
        # the application (and so Django) before it serves, and so before it logs, a request.
        from vcassure.core.middleware import redacted_path, redacted_request_line

        atoms = super().atoms(resp, req, environ, request_time)
        if atoms.get("U"):
            atoms["U"] = redacted_path(atoms["U"]) or atoms["U"]
        if atoms.get("r"):
            atoms["r"] = redacted_request_line(atoms["r"])
        return atoms


logger_class = RedactingLogger

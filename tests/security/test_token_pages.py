"""Pages and answers reached by a link token (the acknowledgement page and its API, the share page):
every answer says `Cache-Control: no-store`, the working page as much as the refusals (a forged,
expired or revoked token, a wrong method, a bad parameter), so no browser or proxy keeps a copy. A
meta-test finds every route with a token parameter. And the development server's access log (demo
mode, `manage.py run_platform`) writes those paths with the token cut out, as the request logger
does, and so does gunicorn's in production."""

import importlib.util
import logging
import threading
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace

import httpx
import pytest
import time_machine
from django.core.servers.basehttp import (
    WSGIRequestHandler,
    WSGIServer,
    get_internal_wsgi_application,
)
from django.test import Client
from django.utils.log import ServerFormatter

from tests.security.routes import parameterised_routes
from vcassure.core import clock
from vcassure.core.middleware import CREDENTIAL_PARAMETERS


def _feed_token(setup) -> str:
    """The secret calendar address of the task's person (duty)."""
    from vcassure.duty.services import calendar_feed_for

    return calendar_feed_for(setup[1].assignee).token


# route -> the requests to try: (label, method, how to build the URL from the fixture, extra)
Setup = tuple  # (meeting, task, ack token, share link) from conftest.field_setup
CASES: dict[str, list[tuple[str, str, Callable[[Setup], str], dict]]] = {
    "duty/calendar/<str:token>.ics": [
        ("feed", "GET", lambda s: f"/duty/calendar/{_feed_token(s)}.ics", {}),
        ("forged", "GET", lambda s: "/duty/calendar/not-a-token.ics", {}),
        ("wrong method", "POST", lambda s: f"/duty/calendar/{_feed_token(s)}.ics", {}),
    ],
    "ack/<str:token>": [
        ("page", "GET", lambda s: f"/ack/{s[2]}", {}),
        ("acknowledge", "POST", lambda s: f"/ack/{s[2]}", {}),
        ("used link", "POST", lambda s: f"/ack/{s[2]}", {}),
        ("forged", "GET", lambda s: f"/ack/{s[2][:-4]}AAAA", {}),
        ("forged post", "POST", lambda s: "/ack/not-a-token", {}),
        ("wrong method", "PUT", lambda s: f"/ack/{s[2]}", {}),
        ("expired", "GET", lambda s: f"/ack/{s[2]}", {"later": timedelta(days=30)}),
    ],
    "api/ack/<token>": [
        ("what the link shows", "GET", lambda s: f"/api/ack/{s[2]}", {}),
        ("acknowledge", "POST", lambda s: f"/api/ack/{s[2]}", {}),
        ("forged", "GET", lambda s: "/api/ack/not-a-token", {}),
        ("forged post", "POST", lambda s: f"/api/ack/{s[2][:-4]}AAAA", {}),
        ("expired", "POST", lambda s: f"/api/ack/{s[2]}", {"later": timedelta(days=30)}),
    ],
    "meetings/share/<str:token>/": [
        ("page", "GET", lambda s: f"/meetings/share/{s[3].token}/", {}),
        (
            "live part",
            "GET",
            lambda s: f"/meetings/share/{s[3].token}/",
            {"headers": {"HTTP_HX_REQUEST": "true"}},
        ),
        ("unknown unit", "GET", lambda s: f"/meetings/share/{s[3].token}/?unit=999999", {}),
        ("forged", "GET", lambda s: "/meetings/share/not-a-token/", {}),
        ("wrong method", "POST", lambda s: f"/meetings/share/{s[3].token}/", {}),
        (
            "expired",
            "GET",
            lambda s: f"/meetings/share/{s[3].token}/",
            {"later": timedelta(days=40)},
        ),
    ],
}


def token_routes() -> set[str]:
    return {
        route
        for route, info in parameterised_routes().items()
        if set(info["params"]) & set(CREDENTIAL_PARAMETERS)
    }


def test_every_token_route_is_tried():
    assert token_routes() == set(CASES)


@pytest.mark.parametrize("route", sorted(CASES))
def test_every_answer_of_a_token_route_is_no_store(route, field_setup):
    client = Client()
    statuses = []
    for label, method, url_of, extra in CASES[route]:
        url = url_of(field_setup)
        later = extra.get("later")
        with time_machine.travel(clock.now() + later if later else clock.now(), tick=False):
            kwargs = {"content_type": "application/json"} if route.startswith("api/") else {}
            response = client.generic(method, url, **kwargs, **extra.get("headers", {}))
        statuses.append(response.status_code)
        cache = response.headers.get("Cache-Control", "")
        assert "no-store" in cache, (
            f"{route} {label}: {response.status_code}, Cache-Control {cache!r}"
        )
        assert response.headers.get("Referrer-Policy") == "no-referrer", f"{route} {label}"
    # The cases do reach both the working page and the refusals.
    assert 200 in statuses and {404, 405, 410} & set(statuses)


# --- the development server's access log ------------------------------------------------------------


class Lines(logging.Handler):
    """The lines the development server's handler would print (its own formatter)."""

    def __init__(self):
        super().__init__()
        self.setFormatter(ServerFormatter("[{server_time}] {message}", style="{"))
        self.lines: list[str] = []
        self.records: list[logging.LogRecord] = []

    def emit(self, record):
        self.records.append(record)
        self.lines.append(self.format(record))


@pytest.fixture
def dev_server(transactional_db):
    """Django's development server (what runserver and run_platform serve with) on a free port."""
    server = WSGIServer(("127.0.0.1", 0), WSGIRequestHandler)
    server.set_app(get_internal_wsgi_application())
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def test_the_development_server_log_holds_no_link_token(dev_server):
    logger = logging.getLogger("django.server")
    lines = Lines()
    logger.addHandler(lines)
    ack_token = "eyJuIjoxLCJzIjoyLCJrIjoiYWJjIn0:1v4Xyz:Q2hlY2tTaWduYXR1cmVPZkFMaW5r"
    share_token = "c2hhcmUtdG9rZW4tMDEyMzQ1Njc4OWFiY2RlZg"
    try:
        with httpx.Client(base_url=dev_server, timeout=10) as http:
            assert http.get(f"/ack/{ack_token}").status_code == 404
            assert http.post(f"/api/ack/{ack_token}?x=1").status_code == 404
            assert http.get(f"/meetings/share/{share_token}/").status_code == 404
            assert http.get("/accounts/login/").status_code == 200
        # The server logs a request once its answer is sent: wait for the last line.
        deadline = time.monotonic() + 5
        while len(lines.lines) < 4 and time.monotonic() < deadline:
            time.sleep(0.01)
    finally:
        logger.removeHandler(lines)
    text = "\n".join(lines.lines)
    assert len(lines.lines) == 4, text
    assert ack_token not in text and share_token not in text
    for record in lines.records:
        assert ack_token not in repr(record.args) and share_token not in repr(record.args)
    assert '"GET /ack/[redacted] HTTP/1.1" 404' in text
    assert '"POST /api/ack/[redacted]?x=1 HTTP/1.1" 404' in text
    assert '"GET /meetings/share/[redacted]/ HTTP/1.1" 404' in text
    assert '"GET /accounts/login/ HTTP/1.1" 200' in text  # other paths are left as they are


def test_the_gunicorn_access_log_holds_no_link_token(settings):
    """Production's access log (GUNICORN_ACCESS_LOG=json) redacts the same routes."""
    spec = importlib.util.spec_from_file_location(
        "gunicorn_conf", Path(settings.BASE_DIR) / "config" / "gunicorn.conf.py"
    )
    conf = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(conf)
    logger = object.__new__(conf.RedactingLogger)  # atoms() needs none of the set-up
    token = "c2hhcmUtdG9rZW4tMDEyMzQ1Njc4OWFiY2RlZg"
    for path, shown in (
        (f"/meetings/share/{token}/", "/meetings/share/[redacted]/"),
        (f"/ack/{token}", "/ack/[redacted]"),
        (f"/api/ack/{token}", "/api/ack/[redacted]"),
        ("/accounts/login/", "/accounts/login/"),
    ):
        environ = {
            "REQUEST_METHOD": "GET",
            "RAW_URI": f"{path}?unit=3",
            "PATH_INFO": path,
            "QUERY_STRING": "unit=3",
            "SERVER_PROTOCOL": "HTTP/1.1",
        }
        response = SimpleNamespace(status="200 OK", headers=[], sent=10)
        atoms = logger.atoms(response, SimpleNamespace(headers=[]), environ, timedelta(0))
        assert atoms["U"] == shown and atoms["r"] == f"GET {shown}?unit=3 HTTP/1.1"

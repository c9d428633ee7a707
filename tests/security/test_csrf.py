"""CSRF on every state-changing page (issue 6): walked from the URL resolver, every page route
refuses a logged-in POST without the CSRF token, before the view runs; the API refuses one made
with the browser session (a bearer token needs none: no cookie, nothing to forge)."""

import json
import re

import pytest
from django.test import Client

from tests.security.routes import walk
from vcassure.core.models import AuditEvent

# The pages that take a POST without the token, and why.
CSRF_EXEMPT = {
    "ack/<str:token>": "no session: the signed single-use token in the URL is the proof",
}


def page_routes() -> list[str]:
    from django.urls import get_resolver

    return sorted(
        {
            route
            for route, _p in walk(get_resolver().url_patterns)
            if not route.startswith(("api/", "admin/"))
        }
    )


def _url(route: str) -> str:
    return "/" + re.sub(
        r"<(?:(\w+):)?\w+>", lambda m: "1" if m.group(1) in ("int", None) else "x", route
    )


@pytest.mark.parametrize("route", page_routes())
def test_a_post_without_the_csrf_token_is_refused(route, tree):
    if route in CSRF_EXEMPT:
        pytest.skip(CSRF_EXEMPT[route])
    client = Client(enforce_csrf_checks=True)
    client.force_login(tree.user("province", "admin"))
    before = AuditEvent.objects.count()
    response = client.post(_url(route), {"name": "x"})
    assert response.status_code == 403, (route, response.status_code)
    assert AuditEvent.objects.count() == before


def test_the_api_checks_csrf_for_the_session_but_not_for_a_bearer_token(tree, api_client_for):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(tree.user("province"))
    body = json.dumps({"reason": "x"})
    response = browser.post("/api/meetings/1/cancel", data=body, content_type="application/json")
    assert response.status_code == 403
    bearer = api_client_for(tree.user("province"))
    bearer.handler.enforce_csrf_checks = True
    assert (
        bearer.post(
            "/api/meetings/1/cancel", data=body, content_type="application/json"
        ).status_code
        == 404
    )

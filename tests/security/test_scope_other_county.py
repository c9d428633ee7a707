"""Scope (SPEC §4): every route in scope_cases.ROUTES, tried by county 0's dispatcher and county 0's
support person with the id of an object that belongs to county 1: 404 every time, the same as a
missing object, and not one row written. And the same requests reach the objects for the people in
scope. (The `world` fixture is in conftest.py.)"""

import json
import re

import pytest
from django.test import Client

from tests.security.scope_cases import GET, POST, ROUTES
from vcassure.accounts.models import Role
from vcassure.accounts.services import api_token_create

ATTACKERS = {
    "county0 dispatcher": ("county0", Role.DISPATCHER),
    "county0 support": ("county0", Role.SUPPORT),
}


# --- the matrix -----------------------------------------------------------------------------------


def _url(route: str, kwargs: dict) -> str:
    def value(match: re.Match) -> str:
        return str(kwargs[match.group(1)])

    return "/" + re.sub(r"<(?:\w+:)?(\w+)>", value, route)


def _request(client: Client, method: str, url: str, body, *, api: bool):
    if method == GET:
        return client.get(url)
    if api:
        return client.generic(
            method,
            url,
            data=json.dumps(body if body is not None else {}),
            content_type="application/json",
        )
    return client.post(url, data=body or {})


@pytest.mark.parametrize("route", sorted(ROUTES))
def test_another_scopes_object_is_404_and_nothing_changes(route, world, snapshot):
    methods, build = ROUTES[route]
    case = build(world)
    for target in case.targets:
        assert target.pk is not None, f"{route}: the case built no row"
    url = _url(route, case.kwargs)
    api = route.startswith("api/")
    clients = {}
    for name, (key, role) in ATTACKERS.items():
        user = world.tree.user(key, role)
        if api:
            _token, secret = api_token_create(user=user)
            clients[name] = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")
        else:
            clients[name] = Client()
            clients[name].force_login(user)
    changes = snapshot(*case.targets)
    failures = []
    for name, client in clients.items():
        for method in sorted(methods | ({GET, POST} if not api else set())):
            response = _request(client, method, url, case.bodies.get(method), api=api)
            allowed = {404} if method in methods else {404, 405}
            if response.status_code not in allowed:
                failures.append(
                    f"{name} {method} {url}: {response.status_code} {response.content[:200]!r}"
                )
            elif api and response.status_code == 404:
                assert response.json()["detail"], (
                    url
                )  # SPEC §6's error shape, nothing of the object
    assert not failures, "\n".join(failures)
    assert changes() == [], f"{route}: rows changed"


def test_the_same_requests_reach_the_objects_in_scope(world):
    """The matrix is only worth something if its requests would succeed for the right person: the
    province dispatcher gets the objects county 0 was refused."""
    client = Client()
    client.force_login(world.tree.user("province"))
    for route in (
        "meetings/<int:pk>/",
        "meetings/tasks/<int:pk>/field/",
        "faults/<int:pk>/",
        "faults/rma/<int:pk>/",
        "checklists/photos/<int:pk>/",
        "notifications/deliveries/<int:pk>/",
        "org/staff/<int:pk>/",
        "notifications/groups/<int:pk>/edit/",
        "meetings/<int:pk>/notice/",
    ):
        case = ROUTES[route][1](world)
        response = client.get(_url(route, case.kwargs))
        assert response.status_code == 200, route
        if route.startswith("checklists/photos/"):  # its own stricter policy, kept by django-csp
            assert (
                response["Content-Security-Policy"] == "default-src 'none'; img-src 'self'; sandbox"
            )
    _token, secret = api_token_create(user=world.tree.user("province"))
    api = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")
    for route in (
        "api/meetings/<int:meeting_id>",
        "api/faults/<int:fault_id>",
        "api/rma/<int:shipment_id>",
        "api/im-groups/<int:group_id>",
        "api/staff/<int:staff_id>",
    ):
        case = ROUTES[route][1](world)
        assert api.get(_url(route, case.kwargs)).status_code == 200, route
    # And county 1's own dispatcher reaches its meeting and its task.
    client.force_login(world.tree.user("county1"))
    assert client.get(f"/meetings/{world.meeting.pk}/").status_code == 200
    assert client.get(f"/meetings/tasks/{world.task.pk}/field/").status_code == 200

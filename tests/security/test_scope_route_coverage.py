"""The scope matrix's meta-tests: the URL resolver is walked, and every route that takes an object
id must have a case in scope_cases.ROUTES (or a reason in NOT_IDS), with the methods an API route
serves."""

from tests.security.routes import parameterised_routes
from tests.security.scope_cases import NOT_IDS, ROUTES

# --- the routes -----------------------------------------------------------------------------------


def routes_with_ids() -> list[str]:
    return sorted(route for route, info in parameterised_routes().items() if info["ids"])


# --- the meta-tests -------------------------------------------------------------------------------


def test_the_resolver_finds_the_id_routes():
    found = routes_with_ids()
    # Pages and ninja's API routes both come through: a broken walk must not pass for "nothing to check".
    assert "meetings/<int:pk>/" in found and "api/meetings/<int:meeting_id>/publish" in found
    assert "checklists/photos/<int:pk>/" in found and "api/im-groups/<int:group_id>" in found
    assert len(found) >= 40


def test_every_route_with_an_id_is_in_the_matrix():
    routes = parameterised_routes()
    with_ids = {route for route, info in routes.items() if info["ids"]}
    unclassified = sorted(set(routes) - set(ROUTES) - set(NOT_IDS))
    assert not unclassified, (
        f"routes with path parameters in neither ROUTES nor NOT_IDS: {unclassified}"
    )
    missing = sorted(with_ids - set(ROUTES))
    assert not missing, f"routes taking an object id without a scope case in ROUTES: {missing}"
    stale = sorted((set(ROUTES) | set(NOT_IDS)) - set(routes))
    assert not stale, f"entries for routes that no longer exist: {stale}"
    # An API route's methods are known: the table must try each of them (a new PATCH on an id route fails here).
    wrong = {
        route: (sorted(ROUTES[route][0]), sorted(info["methods"]))
        for route, info in routes.items()
        if route in ROUTES and info["methods"] and ROUTES[route][0] != info["methods"]
    }
    assert not wrong, f"API routes whose methods differ from the table (table, served): {wrong}"

"""The URL resolver walked flat: what the scope matrix and the CSRF check both go through."""

from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.converters import IntConverter
from ninja.operation import PathView


def walk(patterns, prefix=""):
    for p in patterns:
        if isinstance(p, URLResolver):
            yield from walk(p.url_patterns, prefix + str(p.pattern))
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern), p


def _api_methods(pattern: URLPattern) -> set[str] | None:
    """The HTTP methods of a django-ninja route (its PathView sits in the view's closure)."""
    for cell in getattr(pattern.callback, "__closure__", None) or ():
        if isinstance(cell.cell_contents, PathView):
            return {m for op in cell.cell_contents.operations for m in op.methods}
    return None


def parameterised_routes() -> dict[str, dict]:
    """Every route with a path parameter, outside the admin: {route: {"params", "ids", "methods"}}."""
    found: dict[str, dict] = {}
    for route, pattern in walk(get_resolver().url_patterns):
        if route.startswith("admin/"):
            continue
        converters = pattern.pattern.converters
        if not converters:
            continue
        ids = sorted(
            name
            for name, conv in converters.items()
            if isinstance(conv, IntConverter) or name == "pk" or name.endswith(("_id", "_pk"))
        )
        entry = found.setdefault(
            route, {"params": sorted(converters), "ids": ids, "methods": set()}
        )
        entry["methods"] |= _api_methods(pattern) or set()
    return found

"""The URL resolver walked flat: what the scope matrix and the CSRF check both go through."""

from django.urls import URLPattern, URLResolver


def walk(patterns, prefix=""):
    for p in patterns:
        if isinstance(p, URLResolver):
            yield from walk(p.url_patterns, prefix + str(p.pattern))
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern), p

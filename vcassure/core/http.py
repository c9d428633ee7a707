"""Plumbing every app's views share: the HTMX request type, 404 for what a selector does not find
(out of scope looks the same as missing), 403 for a role that may not."""

from collections.abc import Callable
from typing import Any, TypeVar

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.http import Http404, HttpRequest
from django_htmx.middleware import HtmxDetails

T = TypeVar("T")


class HtmxHttpRequest(HttpRequest):
    """A request as django-htmx's middleware leaves it (typed for the views)."""

    htmx: HtmxDetails


def get_or_404(fn: Callable[..., T], **kwargs: Any) -> T:
    """Call a selector (`meeting_get(user=…, pk=…)`); a missing or out-of-scope object is a 404."""
    try:
        return fn(**kwargs)
    except ObjectDoesNotExist as exc:
        raise Http404 from exc


def require(allowed: bool) -> None:
    """Refuse (403) an action the user's role does not allow."""
    if not allowed:
        raise PermissionDenied

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from vcassure.core import context


def request_client_ip(request: HttpRequest) -> str | None:
    return request.META.get("REMOTE_ADDR") or None


class RequestContextMiddleware:
    """Remembers the client address so that services can write it to the audit log."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = context.client_ip.set(request_client_ip(request))
        try:
            return self.get_response(request)
        finally:
            context.client_ip.reset(token)

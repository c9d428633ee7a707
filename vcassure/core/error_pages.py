"""Error pages people can read (403, 404, 410, 500): Chinese by default (English when chosen),
phone-sized, with a way back (my tasks, the 96311 dispatch desk). The same pages in production
(Django's handler403/404/500, config/urls.py) and under DEBUG (ErrorPagesMiddleware, which turns
what a view raises, and a path no URL matches, into these pages instead of Django's technical
ones; the traceback still goes to the log). The API keeps its JSON errors: paths under /api/ are
left alone."""

import logging
from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.template import loader
from django.template.exceptions import TemplateDoesNotExist
from django.views.decorators.csrf import requires_csrf_token

log = logging.getLogger("django.request")

TEMPLATES = {403: "403.html", 404: "404.html", 410: "410.html", 500: "500.html"}


class Gone(Exception):
    """A page that existed and is no more (an expired link, a withdrawn notice): 410."""


def _message(exception: BaseException | None) -> str:
    """What the exception says to a person, if it was written for one (not Django's English)."""
    if exception is None or isinstance(exception, Http404):
        return ""
    text = str(exception)
    return text if text and not text.isascii() else ""


def error_page(request: HttpRequest, status: int, exception: BaseException | None = None):
    """Render the page for `status`; 500 falls back to plain text if even that fails."""
    context = {"message": _message(exception), "status": status}
    try:
        if status == 500:  # no context processors: the database may be what failed
            body = loader.get_template(TEMPLATES[500]).render({"status": 500})
        else:
            body = loader.render_to_string(TEMPLATES[status], context, request)
    except (TemplateDoesNotExist, Exception):  # noqa: BLE001 - an error page must not fail
        if status != 500:
            return error_page(request, 500)
        return HttpResponse(
            "系统暂时出错，请稍后重试；紧急情况请拨打调度台 96311。",
            status=500,
            content_type="text/plain; charset=utf-8",
        )
    return HttpResponse(body, status=status)


@requires_csrf_token
def permission_denied(request: HttpRequest, exception: BaseException | None = None):
    return error_page(request, 403, exception)


@requires_csrf_token
def page_not_found(request: HttpRequest, exception: BaseException | None = None):
    return error_page(request, 404, exception)


@requires_csrf_token
def server_error(request: HttpRequest):
    return error_page(request, 500)


def csrf_failure(request: HttpRequest, reason: str = ""):
    """A form posted after its page expired (CSRF_FAILURE_VIEW): a 403 that says so."""
    from django.utils.translation import gettext as _

    return error_page(
        request, 403, PermissionDenied(_("页面已过期或来源无法验证，请返回上一页刷新后重试。"))
    )


def _is_api(request: HttpRequest) -> bool:
    return request.path_info.startswith("/api/")


class ErrorPagesMiddleware:
    """Under DEBUG (and in production alike): exceptions from page views become the readable
    pages, and so does a 404 for a path no URL matches (which Django would answer with its
    technical page under DEBUG). Place it after AuthenticationMiddleware."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            settings.DEBUG
            and response.status_code == 404
            and getattr(request, "resolver_match", None) is None
            and not _is_api(request)
        ):
            return error_page(request, 404)
        return response

    def process_exception(self, request: HttpRequest, exception: Exception):
        if _is_api(request):
            return None
        if isinstance(exception, Http404):
            return error_page(request, 404, exception)
        if isinstance(exception, PermissionDenied):
            return error_page(request, 403, exception)
        if isinstance(exception, Gone):
            return error_page(request, 410, exception)
        if not settings.DEBUG:
            return None  # Django logs it and calls handler500 (server_error)
        log.error(
            "Internal Server Error: %s",
            request.path,
            exc_info=exception,
            extra={"request": request},
        )
        return error_page(request, 500)

"""The site's URLs plus views that fail on purpose, for the error page tests (ROOT_URLCONF)."""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.urls import path

from config.urls import handler400, handler403, handler404, handler500, urlpatterns
from vcassure.core.error_pages import Gone

__all__ = ["handler400", "handler403", "handler404", "handler500", "urlpatterns"]


def _raise(request, code: int):
    if code == 403:
        raise PermissionDenied("只有调度员可以执行此操作。")
    if code == 404:
        raise Http404("No SupportTask matches the given query.")
    if code == 410:
        raise Gone("该共享链接已过期。")
    raise RuntimeError("boom")


urlpatterns = [path("__fail/<int:code>/", _raise), *urlpatterns]

"""One way to paginate a list page: the page object and the query string without `page`."""

from django.core.paginator import Paginator
from django.http import HttpRequest

PAGE_SIZE = 50


def paginate(request: HttpRequest, queryset, *, per_page: int = PAGE_SIZE) -> dict:
    page_obj = Paginator(queryset, per_page).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    base = params.urlencode()
    return {"page_obj": page_obj, "querystring_base": f"{base}&" if base else ""}


def int_or_none(value: str | None) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None

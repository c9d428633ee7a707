from django.contrib.auth.views import redirect_to_login
from django.db.models import Count
from django.shortcuts import render
from django_htmx.http import HttpResponseClientRefresh

from vcassure.accounts.models import Role
from vcassure.core import clock
from vcassure.core.http import HtmxHttpRequest
from vcassure.core.middleware import poll_url
from vcassure.home.attention import attention_for
from vcassure.orgs.models import OrgUnit
from vcassure.orgs.selectors import org_unit_roots, staff_list, staffing_shortfalls
from vcassure.venues.selectors import venue_list

POLL_SECONDS = 15


def _overview(user) -> dict:
    levels = dict(
        OrgUnit.objects.visible_to(user)
        .values_list("level")
        .annotate(n=Count("id"))
        .values_list("level", "n")
    )
    return {
        "level_counts": [(label, levels.get(value, 0)) for value, label in OrgUnit.Level.choices],
        "staff_count": staff_list(user=user).count(),
        "venue_count": venue_list(user=user).count(),
        "shortfall_count": len(staffing_shortfalls(user=user)),
    }


def home(request: HtmxHttpRequest):
    """The desk (工作台): what needs action now for this person, most urgent first; the list part
    refreshes itself every POLL_SECONDS. Below it, the directory's overview."""
    if not request.user.is_authenticated:
        if request.htmx:
            return HttpResponseClientRefresh()
        return redirect_to_login(request.get_full_path())
    user = request.user
    context = {
        "attention": attention_for(user, clock.now()),
        "poll_url": poll_url(request),
        "poll_seconds": POLL_SECONDS,
    }
    if request.htmx:
        return render(request, "home/home.html#attention", context)
    field_only = not user.is_superuser and user.role == Role.SUPPORT
    context.update({"roots": org_unit_roots(user=user), "field_only": field_only})
    if not field_only:
        context.update(_overview(user))
    return render(request, "home/home.html", context)

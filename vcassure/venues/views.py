from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest
from django.shortcuts import render

from vcassure.core.pagination import int_or_none, paginate
from vcassure.orgs.models import OrgUnit
from vcassure.venues import selectors
from vcassure.venues.models import Venue


@login_required
def venue_list(request: HttpRequest):
    params = {
        "system": request.GET.get("system", ""),
        "level": request.GET.get("level", ""),
        "role": request.GET.get("role", ""),
        "q": request.GET.get("q", "").strip(),
    }
    qs = selectors.venue_list(
        user=request.user, org_unit=int_or_none(request.GET.get("org_unit")), **params
    )
    return render(
        request,
        "venues/venue_list.html",
        {
            **paginate(request, qs),
            **params,
            "systems": selectors.customer_system_list(),
            "levels": OrgUnit.Level.choices,
            "roles": Venue.Role.choices,
        },
    )


@login_required
def venue_detail(request: HttpRequest, pk: int):
    try:
        venue = selectors.venue_get(user=request.user, pk=pk)
    except Venue.DoesNotExist as exc:
        raise Http404 from exc
    return render(request, "venues/venue_detail.html", {"venue": venue})

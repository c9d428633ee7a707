from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, JsonResponse
from django.shortcuts import render
from django.views.decorators.gzip import gzip_page
from django.views.decorators.http import require_GET

from vcassure.core.pagination import int_or_none, paginate
from vcassure.orgs.models import OrgUnit
from vcassure.orgs.permissions import can_edit_device_settings
from vcassure.venues import selectors
from vcassure.venues.models import Equipment, Venue


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
    return render(
        request,
        "venues/venue_detail.html",
        {
            "venue": venue,
            "can_edit_devices": can_edit_device_settings(request.user),
            "probed_kinds": (Equipment.Kind.TERMINAL, Equipment.Kind.SWITCH),
        },
    )


@login_required
@require_GET
@gzip_page
def venue_picker_data(request: HttpRequest):
    """The venue picker's tree and venues (forms.VenuePickerWidget), scoped to the user. Gzipped:
    a province's water venues are 228 KB of JSON, 46 KB compressed (no secret in it to leak)."""
    role = request.GET.get("role", "")
    data = selectors.venue_picker_data(
        user=request.user,
        system=request.GET.get("system", "")[:32],
        role=role if role in Venue.Role.values else "",
    )
    response = JsonResponse(
        data, json_dumps_params={"ensure_ascii": False, "separators": (",", ":")}
    )
    response["Cache-Control"] = "private, no-cache"
    return response

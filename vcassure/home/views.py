from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import HttpRequest
from django.shortcuts import render

from vcassure.orgs.models import OrgUnit
from vcassure.orgs.selectors import org_unit_roots, staff_list, staffing_shortfalls
from vcassure.venues.selectors import venue_list


@login_required
def home(request: HttpRequest):
    user = request.user
    levels = dict(
        OrgUnit.objects.visible_to(user)
        .values_list("level")
        .annotate(n=Count("id"))
        .values_list("level", "n")
    )
    context = {
        "roots": org_unit_roots(user=user),
        "level_counts": [(label, levels.get(value, 0)) for value, label in OrgUnit.Level.choices],
        "staff_count": staff_list(user=user).count(),
        "venue_count": venue_list(user=user).count(),
        "shortfall_count": len(staffing_shortfalls(user=user)),
    }
    return render(request, "home/home.html", context)

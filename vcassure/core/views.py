from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.shortcuts import render

from vcassure.core.pagination import paginate
from vcassure.core.selectors import audit_event_list


@login_required
def audit_list(request: HttpRequest):
    if not (request.user.is_authenticated and request.user.is_administrator):
        raise PermissionDenied
    qs = audit_event_list(
        object_type=request.GET.get("object_type", ""), object_id=request.GET.get("object_id", "")
    )
    action = request.GET.get("action", "").strip()
    if action:
        qs = qs.filter(action__startswith=action)
    return render(request, "core/audit_list.html", {**paginate(request, qs), "action": action})

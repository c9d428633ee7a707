"""The assignee's phone page (360 px, no script needed): what and where, who to call, the clock,
and two big buttons — on site, then restored — as plain form posts."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from vcassure.core.errors import ApplicationError
from vcassure.faults import services
from vcassure.faults.models import Fault
from vcassure.faults.permissions import can_handle_fault
from vcassure.faults.views.common import clocks, fault_or_404


def phone_page(
    request: HttpRequest, fault: Fault, *, error: ApplicationError | None = None, status: int = 200
) -> HttpResponse:
    return render(
        request,
        "faults/fault_phone.html",
        {
            "fault": fault,
            "clocks": clocks(fault),
            "can_handle": can_handle_fault(request.user),
            "integrators": services.integrators_of(fault),
            "error": error,
        },
        status=status,
    )


@login_required
@require_GET
def fault_phone(request: HttpRequest, pk: int) -> HttpResponse:
    return phone_page(request, fault_or_404(request, pk))

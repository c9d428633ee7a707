"""Fault pages: the list in the user's scope, the detail with its events, and the restore and
close forms for the people who handle faults: the city network operations department (the sole
emergency interface), the county technical maintenance department that carries out the repair,
managers and dispatchers. Another scope's fault is a 404."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from vcassure.core.errors import ApplicationError
from vcassure.core.pagination import paginate
from vcassure.faults import selectors, services
from vcassure.faults.models import Fault
from vcassure.faults.permissions import can_handle_fault


def _fault_or_404(request: HttpRequest, pk: int) -> Fault:
    try:
        return selectors.fault_get(user=request.user, pk=pk)
    except Fault.DoesNotExist as exc:
        raise Http404 from exc


@login_required
@require_GET
def fault_list(request: HttpRequest) -> HttpResponse:
    state = request.GET.get("state", "")
    if state not in Fault.State.values:
        state = ""
    qs = selectors.fault_list(user=request.user, state=state)
    return render(
        request,
        "faults/fault_list.html",
        {
            **paginate(request, qs, per_page=30),
            "state": state,
            "states": Fault.State.choices,
        },
    )


def _detail(
    request: HttpRequest, fault: Fault, *, error: ApplicationError | None = None, status: int = 200
) -> HttpResponse:
    step_result = fault.step_result
    return render(
        request,
        "faults/fault_detail.html",
        {
            "fault": fault,
            "events": selectors.fault_event_list(fault),
            "step_result": step_result,
            "photos": list(step_result.photos.all()) if step_result is not None else [],
            "can_handle": can_handle_fault(request.user),
            "error": error,
        },
        status=status,
    )


@login_required
@require_GET
def fault_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, _fault_or_404(request, pk))


def _act(request: HttpRequest, pk: int, action, success: str) -> HttpResponse:
    fault = _fault_or_404(request, pk)
    if not can_handle_fault(request.user):
        raise PermissionDenied(_("您的角色不能处理故障。"))
    try:
        action(fault, by=request.user, note=request.POST.get("note", "").strip())
    except ApplicationError as exc:
        return _detail(request, fault, error=exc, status=exc.status_code)
    messages.success(request, success)
    return redirect("faults:fault_detail", pk=fault.pk)


@login_required
@require_POST
def fault_restore(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, services.fault_restore, _("故障已恢复。"))


@login_required
@require_POST
def fault_close(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, services.fault_close, _("故障已关闭。"))

"""The network operations queue and the fault page with its actions (plain form posts: each is one
service call; a refused one re-renders the page with the service's message, nothing written)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from vcassure.core import clock
from vcassure.core.errors import ApplicationError
from vcassure.core.http import HtmxHttpRequest
from vcassure.core.pagination import int_or_none, paginate
from vcassure.faults import selectors, services
from vcassure.faults.models import Fault, FaultEvent
from vcassure.faults.permissions import can_handle_fault
from vcassure.faults.views.common import clocks, fault_or_404, phone_page
from vcassure.orgs.scoping import visible_unit


def _filters(request: HttpRequest) -> dict:
    state = request.GET.get("state", "active" if "state" not in request.GET else "")
    if state not in Fault.State.values and state != "active":
        state = ""
    severity = request.GET.get("severity", "")
    if severity not in Fault.Severity.values:
        severity = ""
    unit = visible_unit(request.user, int_or_none(request.GET.get("org_unit")))
    return {"state": state, "severity": severity, "org_unit": unit}


@login_required
@require_GET
def fault_list(request: HtmxHttpRequest) -> HttpResponse:
    """The queue: active faults first, by the deadline each races; filters by state (active by
    default), severity and unit; the counts refresh every 15 s without a reload (htmx)."""
    f = _filters(request)
    unit = f["org_unit"]
    qs = selectors.fault_queue(
        user=request.user,
        state=f["state"],
        severity=f["severity"],
        org_unit=unit.pk if unit else None,
    )
    context = {
        **paginate(request, qs, per_page=30),
        **f,
        "states": Fault.State.choices,
        "severities": Fault.Severity.choices,
        "counts": selectors.fault_counts(user=request.user, org_unit=unit.pk if unit else None),
        "units": selectors.queue_units(user=request.user),
        "now": clock.now(),
        "can_handle": can_handle_fault(request.user),
    }
    if request.htmx and request.GET.get("part") == "counts":
        return render(request, "faults/fault_list.html#counts", context)
    return render(request, "faults/fault_list.html", context)


def detail_context(request: HttpRequest, fault: Fault) -> dict:
    step_result = fault.step_result
    can_handle = can_handle_fault(request.user)
    return {
        "fault": fault,
        "events": selectors.fault_event_list(fault),
        "step_result": step_result,
        "photos": list(step_result.photos.all()) if step_result is not None else [],
        "can_handle": can_handle,
        "clocks": clocks(fault),
        "assignable": list(services.assignable_staff(fault)) if can_handle else [],
        "integrators": services.integrators_of(fault),
        "integrator_channels": services.integrator_channels(),
    }


def _detail(
    request: HttpRequest, fault: Fault, *, error: ApplicationError | None = None, status: int = 200
) -> HttpResponse:
    return render(
        request,
        "faults/fault_detail.html",
        {**detail_context(request, fault), "error": error},
        status=status,
    )


@login_required
@require_GET
def fault_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, fault_or_404(request, pk))


def _act(request: HttpRequest, pk: int, call, success: str, *, phone: bool = False) -> HttpResponse:
    fault = fault_or_404(request, pk)
    if not can_handle_fault(request.user):
        raise PermissionDenied(_("您的角色不能处理故障。"))
    try:
        call(fault)
    except ApplicationError as exc:
        if phone:
            return phone_page(request, fault, error=exc, status=exc.status_code)
        return _detail(request, fault, error=exc, status=exc.status_code)
    messages.success(request, success)
    return redirect("faults:fault_phone" if phone else "faults:fault_detail", pk=fault.pk)


def _note(request: HttpRequest) -> str:
    return request.POST.get("note", "").strip()[:1000]


@login_required
@require_POST
def fault_acknowledge(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(
        request, pk, lambda f: services.fault_acknowledge(f, by=request.user), _("已受理故障。")
    )


@login_required
@require_POST
def fault_assign(request: HttpRequest, pk: int) -> HttpResponse:
    staff_id = int_or_none(request.POST.get("assignee"))

    def call(f):
        if staff_id is None:
            from vcassure.core.errors import InvalidInputError

            raise InvalidInputError(
                _("请选择处理人。"), errors=[{"field": "assignee", "message": ""}]
            )
        services.fault_assign(f, by=request.user, assignee=staff_id)

    return _act(request, pk, call, _("已派单，处理人已收到通知。"))


@login_required
@require_POST
def fault_on_site(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        pk,
        lambda f: services.fault_on_site(f, by=request.user, note=_note(request)),
        _("已记录到场。"),
        phone=request.POST.get("from") == "phone",
    )


@login_required
@require_POST
def fault_restore(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        pk,
        lambda f: services.fault_restore(f, by=request.user, note=_note(request)),
        _("故障已恢复。"),
        phone=request.POST.get("from") == "phone",
    )


@login_required
@require_POST
def fault_close(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        pk,
        lambda f: services.fault_close(f, by=request.user, note=_note(request)),
        _("故障已关闭。"),
    )


@login_required
@require_POST
def fault_reopen(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        pk,
        lambda f: services.fault_reopen(
            f, by=request.user, reason=request.POST.get("reason", "")[:1000]
        ),
        _("故障已重新打开。"),
    )


@login_required
@require_POST
def fault_guidance(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        pk,
        lambda f: services.fault_guidance_add(
            f,
            by=request.user,
            note=request.POST.get("note", ""),
            advisor=request.POST.get("advisor", ""),
            photo=request.FILES.get("photo"),
        ),
        _("已记录指导。"),
    )


@login_required
@require_POST
def fault_notify_integrator(request: HttpRequest, pk: int) -> HttpResponse:
    fault = fault_or_404(request, pk)
    integrator_id = int_or_none(request.POST.get("integrator"))
    found = {row["integrator"].pk: row["integrator"] for row in services.integrators_of(fault)}
    if integrator_id not in found:
        raise Http404
    return _act(
        request,
        pk,
        lambda f: services.fault_integrator_notify(
            f,
            by=request.user,
            integrator=found[integrator_id],
            channel=request.POST.get("channel", ""),
            message=request.POST.get("message", ""),
        ),
        _("已通知集成商。"),
    )


@login_required
@require_GET
def guidance_photo(request: HttpRequest, pk: int, event_pk: int) -> FileResponse:
    fault = fault_or_404(request, pk)
    event = FaultEvent.objects.filter(fault=fault, pk=event_pk).exclude(photo="").first()
    if event is None:
        raise Http404
    response = FileResponse(event.photo.open("rb"), content_type=event.photo_content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=3600"
    return response

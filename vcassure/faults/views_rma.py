"""RMA and spares pages: the shipments in the user's scope (overdue first), shipping equipment from a
fault page or standalone, a shipment's steps with the button for the next one, and the spares per
county and city with below-minimum flags and lend/return actions. Another scope's id is a 404."""

from collections import defaultdict

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from vcassure.core.errors import ApplicationError, InvalidInputError
from vcassure.core.pagination import int_or_none, paginate
from vcassure.faults import rma_selectors as selectors
from vcassure.faults import shipments as services
from vcassure.faults.models import Fault
from vcassure.faults.permissions import can_handle_fault
from vcassure.faults.rma_forms import ShipmentForm, SpareForm, StepForm
from vcassure.faults.rma_models import Shipment, ShipmentQuerySet, Spare
from vcassure.orgs.models import OrgUnit
from vcassure.venues.models import Equipment


def _get_or_404(model, request: HttpRequest, pk: int | None, *related: str):
    if pk is None:
        raise Http404
    try:
        return model.objects.visible_to(request.user).select_related(*related).get(pk=pk)
    except ObjectDoesNotExist as exc:
        raise Http404 from exc


def _shipment_or_404(request: HttpRequest, pk: int) -> Shipment:
    try:
        return selectors.shipment_get(user=request.user, pk=pk)
    except Shipment.DoesNotExist as exc:
        raise Http404 from exc


def _check_can_manage(request: HttpRequest) -> None:
    if not can_handle_fault(request.user):
        raise PermissionDenied(_("您的角色不能办理返修和备件。"))


def _unit_choices(request: HttpRequest) -> list[tuple[int, str]]:
    """The cities and counties the user sees: where spares are kept."""
    return list(
        OrgUnit.objects.visible_to(request.user)
        .filter(level__in=[OrgUnit.Level.CITY, OrgUnit.Level.COUNTY])
        .order_by("path")
        .values_list("pk", "name")
    )


@login_required
@require_GET
def rma_list(request: HttpRequest) -> HttpResponse:
    state = request.GET.get("state", "")
    if state not in Shipment.State.values:
        state = ""
    overdue = request.GET.get("overdue") == "1"
    org_unit = int_or_none(request.GET.get("org_unit"))
    qs = selectors.shipment_list(user=request.user, state=state, org_unit=org_unit, overdue=overdue)
    return render(
        request,
        "faults/rma_list.html",
        {
            **paginate(request, qs, per_page=30),
            "state": state,
            "states": Shipment.State.choices,
            "overdue": overdue,
            "org_unit": org_unit,
            "units": _unit_choices(request),
            "overdue_count": Shipment.objects.visible_to(request.user).overdue().count(),
            "can_manage": can_handle_fault(request.user),
        },
    )


def _spare_choices(spares) -> list[tuple[int, str]]:
    return [
        (s.pk, f"{s.org_unit.name} · {s.get_kind_display()} {s.model}（{_('在库')} {s.available}）")
        for s in spares
    ]


@login_required
@require_http_methods(["GET", "POST"])
def rma_create(request: HttpRequest) -> HttpResponse:
    _check_can_manage(request)
    fault = None
    fault_id = int_or_none(request.GET.get("fault") or request.POST.get("fault"))
    if fault_id is not None:
        fault = _get_or_404(Fault, request, fault_id, "venue__org_unit")
    equipment_choices = None
    equipment_list: list[Equipment] = []
    if fault is not None and fault.venue_id:
        equipment_list = list(
            Equipment.objects.visible_to(request.user)
            .filter(venue_id=fault.venue_id)
            .select_related("venue__org_unit", "integrator")
        )
        equipment_choices = [
            (e.pk, f"{e} · {_('序列号')} {e.serial_number or '—'}") for e in equipment_list
        ]
    spares = (
        Spare.objects.visible_to(request.user)
        .filter(available__gt=0)
        .select_related("org_unit")
        .order_by("org_unit__path", "kind", "model")
    )
    if fault is not None and fault.venue_id:
        spares = spares.filter(org_unit_id__in=fault.venue.org_unit.chain_ids)
    form = ShipmentForm(
        request.POST or None,
        equipment_choices=equipment_choices,
        spare_choices=_spare_choices(spares),
    )
    status = 200
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if equipment_choices is not None:
                equipment = next(e for e in equipment_list if e.pk == data["equipment"])
            else:
                equipment = (
                    Equipment.objects.visible_to(request.user)
                    .select_related("venue__org_unit", "integrator")
                    .filter(serial_number__iexact=data["serial_number"].strip())
                    .first()
                )
                if equipment is None:
                    raise InvalidInputError(
                        _("本辖区没有序列号为“%(sn)s”的设备。") % {"sn": data["serial_number"]},
                        errors=[{"field": "equipment", "message": _("请核对序列号。")}],
                    )
            loaner = next(s for s in spares if s.pk == data["loaner"]) if data["loaner"] else None
            shipment = services.shipment_create(
                by=request.user,
                equipment=equipment,
                fault=fault,
                carrier=data["carrier"],
                tracking_number=data["tracking_number"],
                expected_return=data["expected_return"],
                loaner=loaner,
                note=data["note"].strip(),
            )
        except ApplicationError as exc:
            form.add_service_errors(exc)
            status = exc.status_code
        else:
            messages.success(request, _("已登记返修寄出。"))
            return redirect("faults:rma_detail", pk=shipment.pk)
    elif request.method == "POST":
        status = 422
    return render(request, "faults/rma_form.html", {"form": form, "fault": fault}, status=status)


def _detail(
    request: HttpRequest, shipment: Shipment, *, error: ApplicationError | None = None, status=200
) -> HttpResponse:
    steps = [
        {
            "state": value,
            "label": label,
            "at": getattr(shipment, Shipment.STEP_FIELDS[value]),
        }
        for value, label in Shipment.State.choices
    ]
    next_state = shipment.next_state()
    can_lend = shipment.is_open and not shipment.has_loaner_out and can_handle_fault(request.user)
    return render(
        request,
        "faults/rma_detail.html",
        {
            "shipment": shipment,
            "steps": steps,
            "next_state": next_state,
            "next_label": Shipment.State(next_state).label if next_state else "",
            "events": selectors.shipment_event_list(shipment),
            "history": selectors.equipment_history(shipment),
            "spares": list(
                selectors.spares_for_equipment(user=request.user, equipment=shipment.equipment)
            )
            if can_lend
            else [],
            "can_manage": can_handle_fault(request.user),
            "can_lend": can_lend,
            "error": error,
        },
        status=status,
    )


@login_required
@require_GET
def rma_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, _shipment_or_404(request, pk))


def _act(request: HttpRequest, pk: int, action, success: str) -> HttpResponse:
    shipment = _shipment_or_404(request, pk)
    _check_can_manage(request)
    try:
        action(shipment)
    except ApplicationError as exc:
        return _detail(request, _shipment_or_404(request, pk), error=exc, status=exc.status_code)
    messages.success(request, success)
    return redirect("faults:rma_detail", pk=shipment.pk)


@login_required
@require_POST
def rma_step(request: HttpRequest, pk: int) -> HttpResponse:
    form = StepForm(request.POST)
    if not form.is_valid():
        error = InvalidInputError(_("未知的返修状态。"))
        return _detail(request, _shipment_or_404(request, pk), error=error, status=422)
    state, note = form.cleaned_data["state"], form.cleaned_data["note"].strip()
    return _act(
        request,
        pk,
        lambda s: services.shipment_update(s, by=request.user, state=state, note=note),
        _("返修单已更新为“%(state)s”。") % {"state": Shipment.State(state).label},
    )


@login_required
@require_POST
def rma_lend(request: HttpRequest, pk: int) -> HttpResponse:
    spare = _get_or_404(Spare, request, int_or_none(request.POST.get("loaner")), "org_unit")
    return _act(
        request,
        pk,
        lambda s: services.shipment_update(s, by=request.user, loaner=spare),
        _("已借出备件。"),
    )


@login_required
@require_POST
def rma_loaner_return(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        pk,
        lambda s: services.shipment_loaner_return(s, by=request.user),
        _("备件已归还入库。"),
    )


# --- spares -------------------------------------------------------------------------------------


def _spare_rows(request: HttpRequest, spares: list[Spare]) -> list[dict]:
    """Each spare with the open shipments it could stand in for and the loans it has out: two
    queries for the whole page."""
    if not spares:
        return []
    open_shipments = list(
        Shipment.objects.visible_to(request.user)
        .filter(state__in=ShipmentQuerySet.OPEN_STATES)
        .select_related("equipment__venue", "org_unit", "loaner")
        .order_by("-shipped_at")
    )
    loans: dict[int, list[Shipment]] = defaultdict(list)
    for s in open_shipments:
        if s.has_loaner_out:
            loans[s.loaner_id].append(s)
    waiting = [s for s in open_shipments if not s.has_loaner_out]
    return [
        {
            "spare": spare,
            "candidates": [
                s
                for s in waiting
                if s.equipment.kind == spare.kind and spare.org_unit_id in s.org_unit.chain_ids
            ],
            "loans": loans.get(spare.pk, []),
        }
        for spare in spares
    ]


@login_required
@require_GET
def spare_list(request: HttpRequest) -> HttpResponse:
    org_unit = int_or_none(request.GET.get("org_unit"))
    kind = request.GET.get("kind", "")
    if kind not in Equipment.Kind.values:
        kind = ""
    below = request.GET.get("below") == "1"
    qs = selectors.spare_list(user=request.user, org_unit=org_unit, kind=kind, below_minimum=below)
    context = paginate(request, qs, per_page=50)
    units = _unit_choices(request)
    can_manage = can_handle_fault(request.user)
    return render(
        request,
        "faults/spares_list.html",
        {
            **context,
            "rows": _spare_rows(request, list(context["page_obj"]))
            if can_manage
            else [{"spare": s, "candidates": [], "loans": []} for s in context["page_obj"]],
            "org_unit": org_unit,
            "kind": kind,
            "kinds": Equipment.Kind.choices,
            "below": below,
            "units": units,
            "below_count": Spare.objects.visible_to(request.user).below_minimum().count(),
            "can_manage": can_manage,
            "form": SpareForm(unit_choices=units) if can_manage else None,
        },
    )


@login_required
@require_POST
def spare_create(request: HttpRequest) -> HttpResponse:
    _check_can_manage(request)
    units = _unit_choices(request)
    form = SpareForm(request.POST, unit_choices=units)
    if form.is_valid():
        data = form.cleaned_data
        unit = _get_or_404(OrgUnit, request, data["org_unit"])
        try:
            services.spare_create(
                by=request.user,
                org_unit=unit,
                kind=data["kind"],
                model=data["model"],
                available=data["available"],
                minimum=data["minimum"],
            )
        except ApplicationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, _("已登记备件。"))
            return redirect("faults:spare_list")
    return render(request, "faults/spares_form.html", {"form": form}, status=422)


@login_required
@require_POST
def spare_lend(request: HttpRequest, pk: int) -> HttpResponse:
    spare = _get_or_404(Spare, request, pk, "org_unit")
    _check_can_manage(request)
    shipment = _shipment_or_404(request, int_or_none(request.POST.get("shipment")) or 0)
    try:
        services.shipment_update(shipment, by=request.user, loaner=spare)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("已将 %(spare)s 借给 %(venue)s。")
            % {"spare": str(spare), "venue": shipment.equipment.venue.name},
        )
    return redirect("faults:spare_list")


@login_required
@require_POST
def spare_return(request: HttpRequest, pk: int) -> HttpResponse:
    spare = _get_or_404(Spare, request, pk, "org_unit")
    _check_can_manage(request)
    shipment = _shipment_or_404(request, int_or_none(request.POST.get("shipment")) or 0)
    if shipment.loaner_id != spare.pk:
        raise Http404
    try:
        services.shipment_loaner_return(shipment, by=request.user)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("备件已归还入库。"))
    return redirect("faults:spare_list")

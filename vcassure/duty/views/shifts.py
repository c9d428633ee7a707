"""Shift pages: one shift (assign, swap), the grid cell edited in place, the person's phone page
with check-in and check-out (a plain form post; a location is added when the phone gives one),
swaps, and the personal calendar feed."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from vcassure.core import clock
from vcassure.core.errors import ApplicationError
from vcassure.core.http import HtmxHttpRequest
from vcassure.core.pagination import int_or_none
from vcassure.duty import feeds, selectors, services
from vcassure.duty.forms import SwapRequestForm
from vcassure.duty.models import Shift, ShiftSwap
from vcassure.duty.permissions import can_manage_roster, own_staff_id
from vcassure.duty.views.cells import cell_html, shift_base
from vcassure.orgs.models import Staff


def shift_or_404(request: HttpRequest, pk: int) -> Shift:
    try:
        return selectors.shift_get(user=request.user, pk=pk)
    except Shift.DoesNotExist as exc:
        raise Http404 from exc


def _next(request: HttpRequest, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


@login_required
@require_GET
def shift_detail(request: HttpRequest, pk: int) -> HttpResponse:
    shift = shift_or_404(request, pk)
    mine = own_staff_id(request.user) == shift.assignee_id and shift.assignee_id is not None
    candidates = selectors.shift_candidates(shift)
    return render(
        request,
        "duty/shift_detail.html",
        {
            "shift": shift,
            "candidates": candidates if can_manage_roster(request.user) else None,
            "swap_form": SwapRequestForm(candidates=candidates.exclude(pk=shift.assignee_id or 0))
            if mine and shift.starts_at > clock.now()
            else None,
            "swaps": shift.swaps.select_related("requested_by", "taker"),
            "next": _next(request, ""),
        },
    )


@login_required
@require_GET
def shift_cell(request: HttpRequest, pk: int) -> HttpResponse:
    """The grid cell's editor (htmx): a select of the venue's people."""
    shift = shift_or_404(request, pk)
    if not can_manage_roster(request.user):
        raise PermissionDenied(_("您的角色不能编排值班。"))
    return render(
        request,
        "duty/_cell_edit.html",
        {"s": shift, "candidates": selectors.shift_candidates(shift)},
    )


@login_required
@require_POST
def shift_assign(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    shift = shift_or_404(request, pk)
    staff_id = int_or_none(request.POST.get("assignee"))
    assignee = None
    error: ApplicationError | None = None
    if staff_id is not None:
        assignee = Staff.objects.visible_to(request.user).filter(pk=staff_id).first()
        if assignee is None:
            raise Http404
    try:
        services.shift_assign(shift, by=request.user, assignee=assignee)
    except ApplicationError as exc:
        error = exc
    if request.htmx:
        shift = shift_or_404(request, pk)
        html = cell_html(
            selectors.grid_cell(shift),
            base=shift_base(),
            can_manage=True,
            error=error.message if error is not None else "",
        )
        return HttpResponse(html, status=200 if error is None else error.status_code)
    if error is not None:
        messages.error(request, error.message)
    else:
        messages.success(request, _("已调整值班人员。"))
    return redirect(_next(request, reverse("duty:shift_detail", args=[shift.pk])))


# --- The person's phone page ----------------------------------------------------------------


def _location(request: HttpRequest) -> tuple[float | None, float | None]:
    def number(name: str) -> float | None:
        try:
            return float(request.POST.get(name, ""))
        except ValueError:
            return None

    return number("lat"), number("lng")


@login_required
@require_GET
def my_duty(request: HttpRequest) -> HttpResponse:
    staff_id = own_staff_id(request.user)
    now = clock.now()
    shifts = selectors.my_current_shifts(staff_id=staff_id, now=now)
    for s in shifts:
        s.check_in_open = s.starts_at - services.CHECK_IN_EARLY <= now < s.ends_at  # type: ignore[attr-defined]
    return render(
        request,
        "duty/my_duty.html",
        {
            "shifts": shifts,
            "swaps": selectors.swap_list(user=request.user, staff_id=staff_id, manager=False)
            if staff_id
            else [],
            "staff_id": staff_id,
            "now": clock.now(),
        },
    )


def _field_action(request: HttpRequest, pk: int, action, done: str) -> HttpResponse:
    shift = shift_or_404(request, pk)
    lat, lng = _location(request)
    try:
        action(shift, by=request.user, lat=lat, lng=lng)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, done)
    return redirect("duty:my_duty")


@login_required
@require_POST
def shift_check_in(request: HttpRequest, pk: int) -> HttpResponse:
    return _field_action(request, pk, services.shift_check_in, _("已签到。"))


@login_required
@require_POST
def shift_check_out(request: HttpRequest, pk: int) -> HttpResponse:
    return _field_action(request, pk, services.shift_check_out, _("已签退。"))


# --- Swaps -----------------------------------------------------------------------------------


@login_required
@require_POST
def swap_request(request: HttpRequest, pk: int) -> HttpResponse:
    shift = shift_or_404(request, pk)
    form = SwapRequestForm(request.POST, candidates=selectors.shift_candidates(shift))
    if not form.is_valid():
        messages.error(request, _("请选择接班人员。"))
        return redirect("duty:shift_detail", pk=shift.pk)
    try:
        services.shift_swap_request(
            shift,
            by=request.user,
            taker=form.cleaned_data["taker"],
            reason=form.cleaned_data["reason"],
        )
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("duty:shift_detail", pk=shift.pk)
    messages.success(request, _("已发出换班申请，等待对方接受。"))
    return redirect("duty:my_duty")


def swap_or_404(request: HttpRequest, pk: int) -> ShiftSwap:
    try:
        return selectors.swap_get(user=request.user, pk=pk)
    except ShiftSwap.DoesNotExist as exc:
        raise Http404 from exc


@login_required
@require_GET
def swap_list(request: HttpRequest) -> HttpResponse:
    manager = can_manage_roster(request.user)
    return render(
        request,
        "duty/swap_list.html",
        {
            "swaps": selectors.swap_list(
                user=request.user, staff_id=own_staff_id(request.user), manager=manager
            ),
            "manager": manager,
            "staff_id": own_staff_id(request.user),
        },
    )


@login_required
@require_POST
def swap_answer(request: HttpRequest, pk: int) -> HttpResponse:
    swap = swap_or_404(request, pk)
    try:
        services.shift_swap_answer(swap, by=request.user, accept=request.POST.get("accept") == "1")
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已答复换班申请。"))
    return redirect(_next(request, reverse("duty:my_duty")))


@login_required
@require_POST
def swap_decide(request: HttpRequest, pk: int) -> HttpResponse:
    swap = swap_or_404(request, pk)
    try:
        services.shift_swap_decide(
            swap, by=request.user, approve=request.POST.get("approve") == "1"
        )
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已处理换班申请。"))
    return redirect("duty:swap_list")


# --- Calendar feed --------------------------------------------------------------------------


def _own_staff(request: HttpRequest) -> Staff:
    staff_id = own_staff_id(request.user)
    if staff_id is None:
        raise Http404
    return Staff.objects.get(pk=staff_id)


@login_required
@require_GET
def calendar_page(request: HttpRequest) -> HttpResponse:
    feed = services.calendar_feed_for(_own_staff(request))
    return render(request, "duty/calendar.html", {"url": feeds.feed_url(feed)})


@login_required
@require_POST
def calendar_reset(request: HttpRequest) -> HttpResponse:
    services.calendar_feed_reset(_own_staff(request), by=request.user)
    messages.success(request, _("已重置订阅地址，旧地址已失效。"))
    return redirect("duty:calendar_page")


@require_http_methods(["GET", "HEAD"])
def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    """No login: the secret address is the credential (calendar apps cannot sign in)."""
    staff = feeds.feed_staff(token)
    if staff is None:
        raise Http404
    response = HttpResponse(feeds.calendar_ics(staff), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="duty.ics"'
    return response

"""Period pages: the list and the create form, the period's summary with its uncovered and
rule-breaking shifts, the dispatcher's week-by-venue grid, the live page and the report."""

from datetime import date, datetime, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from vcassure.core import clock
from vcassure.core.errors import ApplicationError
from vcassure.core.http import HtmxHttpRequest
from vcassure.core.pagination import int_or_none, paginate
from vcassure.duty import reports, selectors, services
from vcassure.duty.forms import PeriodForm
from vcassure.duty.models import SpecialPeriod
from vcassure.duty.permissions import can_manage_roster
from vcassure.duty.views.cells import rows_with_html
from vcassure.orgs.models import OrgUnit
from vcassure.orgs.scoping import scope_unit, visible_unit


def period_or_404(request: HttpRequest, pk: int) -> SpecialPeriod:
    try:
        return selectors.period_get(user=request.user, pk=pk)
    except SpecialPeriod.DoesNotExist as exc:
        raise Http404 from exc


@login_required
@require_http_methods(["GET", "POST"])
def period_list(request: HttpRequest) -> HttpResponse:
    manager = can_manage_roster(request.user)
    form = None
    status = 200
    if manager:
        start = clock.localnow().date() + timedelta(days=1)
        form = PeriodForm(
            request.POST or None,
            initial={"starts_on": start, "ends_on": start + timedelta(days=6), "shift_hours": 8},
        )
    if request.method == "POST":
        if not manager or form is None:
            raise PermissionDenied(_("您的角色不能编排值班。"))
        if form.is_valid():
            data = form.cleaned_data
            try:
                period = services.special_period_create(
                    by=request.user,
                    name=data["name"],
                    starts_on=data["starts_on"],
                    ends_on=data["ends_on"],
                    mode=data["mode"],
                    duty_hours=data["duty_hours"],
                    shift_hours=data["shift_hours"],
                    venues=form.venue_ids(),
                )
            except ApplicationError as exc:
                form.add_service_errors(exc)
            else:
                messages.success(request, _("已创建特殊时期并排好班次。"))
                return redirect("duty:period_detail", pk=period.pk)
        status = 422
    return render(
        request,
        "duty/period_list.html",
        {**paginate(request, selectors.period_list(user=request.user), per_page=30), "form": form},
        status=status,
    )


@login_required
@require_GET
def period_detail(request: HttpRequest, pk: int) -> HttpResponse:
    period = period_or_404(request, pk)
    problems, uncovered, broken = selectors.period_problems(user=request.user, period=period)
    return render(
        request,
        "duty/period_detail.html",
        {
            "period": period,
            "problems": problems,
            "uncovered": uncovered,
            "broken": broken,
            "venue_count": period.venues.count(),
            "can_manage": can_manage_roster(request.user),
            "home_unit": scope_unit(request.user),
        },
    )


@login_required
@require_POST
def period_suggest(request: HttpRequest, pk: int) -> HttpResponse:
    period = period_or_404(request, pk)
    filled = services.period_suggest(period, by=request.user)
    messages.success(request, _("已按规则补排 %(n)s 个班次。") % {"n": filled})
    return redirect("duty:period_detail", pk=period.pk)


def _week_start(request: HttpRequest, period: SpecialPeriod) -> date:
    """The grid's first day: the one asked for, else today while the period runs, else its
    first day; seven days from there (not snapped to Monday, so no empty days before the start)."""
    try:
        chosen = datetime.strptime(request.GET.get("week", ""), "%Y-%m-%d").date()
    except ValueError:
        today = clock.localnow().date()
        chosen = today if period.starts_on <= today <= period.ends_on else period.starts_on
    return min(max(chosen, period.starts_on), period.ends_on)


@login_required
@require_GET
def period_grid(request: HttpRequest, pk: int) -> HttpResponse:
    """One week of the roster, a row per venue, for one unit (the dispatcher's county by
    default). Each cell's person can be changed in place."""
    period = period_or_404(request, pk)
    unit_id = int_or_none(request.GET.get("unit"))
    unit: OrgUnit | None = (
        visible_unit(request.user, unit_id) if unit_id else scope_unit(request.user)
    )
    if unit_id and unit is None:
        raise Http404
    week = _week_start(request, period)
    days, rows, broken = selectors.period_week_grid(
        user=request.user, period=period, week_start=week, unit=unit
    )
    can_manage = can_manage_roster(request.user)
    rows_with_html(rows, can_manage=can_manage)
    return render(
        request,
        "duty/period_grid.html",
        {
            "period": period,
            "unit": unit,
            "days": days,
            "rows": rows,
            "broken": broken,
            "week": week,
            "previous_week": max(week - timedelta(days=7), period.starts_on)
            if week > period.starts_on
            else None,
            "next_week": week + timedelta(days=7)
            if week + timedelta(days=7) <= period.ends_on
            else None,
            "can_manage": can_manage,
            "now": clock.now(),
        },
    )


@login_required
@require_GET
def period_live(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    period = period_or_404(request, pk)
    rows = selectors.period_live(user=request.user, period=period)
    counts = dict.fromkeys(("gap", "absent", "on_site", "off"), 0)
    for row in rows:
        counts[row.status] += 1
    template = "duty/period_live.html"
    if request.htmx:
        template += "#live"
    return render(
        request,
        template,
        {"period": period, "rows": rows, "counts": counts, "now": clock.now()},
    )


@login_required
@require_GET
def period_report(request: HttpRequest, pk: int) -> HttpResponse:
    period = period_or_404(request, pk)
    report = reports.duty_report(user=request.user, period=period)
    if request.GET.get("format") == "xlsx":
        response = HttpResponse(
            reports.duty_report_xlsx(report, period),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = f'attachment; filename="duty-{period.pk}.xlsx"'
        return response
    return render(request, "duty/period_report.html", {"period": period, "report": report})

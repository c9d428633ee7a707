"""The working calendar page: a year of working days, one day set by hand, an arrangement imported."""

import datetime
from calendar import Calendar
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from vcassure.accounts.types import UserLike
from vcassure.core import clock
from vcassure.core.errors import InvalidInputError
from vcassure.core.pagination import int_or_none
from vcassure.notifications import services
from vcassure.notifications.calendar import WorkingCalendar, working_windows, years_without_data
from vcassure.notifications.forms import ArrangementForm, DayForm


def _check_admin(user: UserLike) -> None:
    if not (user.is_authenticated and user.is_administrator):
        raise PermissionDenied


def _year_or_current(value: str | None) -> int:
    year = int_or_none(value)
    if year is None or not services.MIN_YEAR <= year <= services.MAX_YEAR:
        return clock.now().astimezone(timezone.get_default_timezone()).year
    return year


def _calendar_url(year: int) -> str:
    return f"{reverse('notifications:calendar')}?year={year}"


def _month_grids(year: int, calendar: WorkingCalendar) -> list[dict[str, Any]]:
    months = []
    for month in range(1, 13):
        weeks = [
            [calendar.day(d) if d.month == month else None for d in week]
            for week in Calendar(firstweekday=0).monthdatescalendar(year, month)
        ]
        months.append({"number": month, "weeks": weeks})
    return months


def _render_page(
    request: HttpRequest, year: int, *, day_form=None, import_form=None, status: int = 200
):
    calendar = WorkingCalendar()
    calendar.preload(year, year)
    months = _month_grids(year, calendar)
    days = [day for m in months for week in m["weeks"] for day in week if day is not None]
    picked = None
    if day_form is None:
        initial: dict[str, Any] = {}
        try:
            picked = datetime.date.fromisoformat(request.GET.get("date", ""))
        except ValueError:
            picked = None
        if picked is not None and picked.year == year:
            info = calendar.day(picked)
            initial = {
                "date": picked,
                "action": "holiday" if info.is_workday else "workday",
                "note": info.note if info.source == "override" else "",
            }
        day_form = DayForm(initial=initial)
    return render(
        request,
        "notifications/calendar.html",
        {
            "year": year,
            "months": months,
            "overrides": [d for d in days if d.source == "override"],
            "workday_count": sum(1 for d in days if d.is_workday),
            "rest_count": sum(1 for d in days if not d.is_workday),
            "without_data": bool(years_without_data([year])),
            "has_fallback_days": any(d.source == "fallback" for d in days),
            "windows": working_windows(),
            "ack_minutes_im": settings.ACK_MINUTES_IM,
            "ack_working_minutes_office": settings.ACK_WORKING_MINUTES_OFFICE,
            "day_form": day_form,
            "import_form": import_form or ArrangementForm(),
            "picked": picked,
        },
        status=status,
    )


@login_required
@require_GET
def calendar_year(request: HttpRequest):
    _check_admin(request.user)
    return _render_page(request, _year_or_current(request.GET.get("year")))


@login_required
@require_POST
def calendar_day(request: HttpRequest):
    _check_admin(request.user)
    year = _year_or_current(request.POST.get("year"))
    form = DayForm(request.POST)
    if form.is_valid():
        date, action, note = (
            form.cleaned_data["date"],
            form.cleaned_data["action"],
            form.cleaned_data["note"],
        )
        try:
            if action == "clear":
                if services.working_day_delete(by=request.user, date=date):
                    messages.success(
                        request,
                        _("已清除 %(date)s 的调整，恢复默认安排。") % {"date": date.isoformat()},
                    )
                else:
                    messages.info(
                        request, _("%(date)s 没有调整，无需清除。") % {"date": date.isoformat()}
                    )
            else:
                services.working_day_set(
                    by=request.user, date=date, is_workday=action == "workday", note=note
                )
                label = _("上班") if action == "workday" else _("休息")
                messages.success(
                    request,
                    _("已将 %(date)s 设为%(label)s。") % {"date": date.isoformat(), "label": label},
                )
            return redirect(_calendar_url(date.year))
        except InvalidInputError as exc:
            form.add_error(None, exc.message)
    return _render_page(request, year, day_form=form, status=400)


@login_required
@require_POST
def calendar_import(request: HttpRequest):
    _check_admin(request.user)
    year = _year_or_current(request.POST.get("year"))
    form = ArrangementForm(request.POST)
    if form.is_valid():
        rows = form.cleaned_data["text"]
        try:
            result = services.working_days_import(by=request.user, rows=rows)
        except InvalidInputError as exc:
            form.add_error("text", exc.message)
        else:
            messages.success(
                request,
                _(
                    "已录入 %(total)d 天：新增 %(created)d 天，修改 %(updated)d 天，未变 %(unchanged)d 天。"
                )
                % {
                    "total": len(rows),
                    "created": result.created,
                    "updated": result.updated,
                    "unchanged": result.unchanged,
                },
            )
            return redirect(_calendar_url(rows[0][0].year))
    return _render_page(request, year, import_form=form, status=400)

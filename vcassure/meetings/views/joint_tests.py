"""The joint-test matrix (联调测试): venues × rounds, a select per check so the coordinator tabs
through a venue's row with the keyboard; failures first; counts refreshed live; Excel export."""

import io

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from openpyxl import Workbook
from openpyxl.styles import PatternFill

from vcassure.core.errors import ApplicationError
from vcassure.core.http import get_or_404
from vcassure.core.pagination import int_or_none
from vcassure.meetings import selectors
from vcassure.meetings.forms import TestRoundForm
from vcassure.meetings.models import Meeting, SupportTask, TestResult
from vcassure.meetings.permissions import can_manage_meetings
from vcassure.meetings.selectors.joint_tests import meeting_cities, test_matrix, test_rounds_list
from vcassure.meetings.services.joint_tests import (
    CHECK_NAMES,
    ResultInput,
    test_results_record,
    test_round_add,
)
from vcassure.orgs.models import OrgUnit


def _meeting(request: HttpRequest, pk: int) -> Meeting:
    return get_or_404(selectors.meeting_get, user=request.user, pk=pk)


def _unit(request: HttpRequest) -> OrgUnit | None:
    pk = int_or_none(request.GET.get("unit"))
    return OrgUnit.objects.visible_to(request.user).filter(pk=pk).first() if pk else None


def _own_venues(request: HttpRequest, meeting: Meeting) -> set[int]:
    staff = getattr(request.user, "staff_profile", None)
    if staff is None:
        return set()
    return set(
        SupportTask.objects.filter(
            meeting=meeting, assignee=staff, venue__isnull=False
        ).values_list("venue_id", flat=True)
    )


def _changed_rows(request: HttpRequest, matrix: dict) -> list[ResultInput]:
    rows = []
    for row in matrix["rows"]:
        venue = row["venue"]
        for cell in row["cells"]:
            if not cell["eligible"]:
                continue
            number = cell["round"].number
            prefix = f"c-{venue.pk}-{number}"
            values = {c: request.POST.get(f"{prefix}-{c}", "") for c in TestResult.CHECKS}
            note = request.POST.get(f"n-{venue.pk}-{number}", "").strip()
            stored = cell["result"]
            before = {c: getattr(stored, c) if stored else "" for c in TestResult.CHECKS}
            if values == before and note == (stored.note if stored else ""):
                continue
            if not any(values.values()) and not note:
                continue
            rows.append(ResultInput(venue=venue.pk, round=number, note=note, **values))
    return rows


def _round_form(meeting: Meeting, data=None) -> TestRoundForm:
    initial = {"starts_at": meeting.starts_at, "ends_at": meeting.ends_at}
    return TestRoundForm(data, cities=meeting_cities(meeting), initial=initial)


def _render_matrix(
    request: HttpRequest,
    meeting: Meeting,
    *,
    error: dict | None = None,
    round_form: TestRoundForm | None = None,
    status: int = 200,
) -> HttpResponse:
    unit = _unit(request)
    coordinator = can_manage_meetings(request.user)
    # The venue's own person (on the phone) sees and enters only the venues they are assigned.
    own = None if coordinator else _own_venues(request, meeting)
    matrix = test_matrix(meeting, unit=unit, venue_ids=own)
    cities = (
        OrgUnit.objects.visible_to(request.user)
        .filter(level__in=[OrgUnit.Level.CITY, OrgUnit.Level.COUNTY])
        .order_by("path")
    )
    # Only the meeting's owner (a dispatcher of its unit or above) schedules rounds.
    planner = coordinator and Meeting.objects.owned_by(request.user).filter(pk=meeting.pk).exists()
    return render(
        request,
        "meetings/test_matrix.html",
        {
            "meeting": meeting,
            "matrix": matrix,
            "checks": [(c, CHECK_NAMES[c]) for c in TestResult.CHECKS],
            "units": cities,
            "unit": unit,
            "error": error,
            "coordinator": coordinator,
            "planner": planner,
            "rounds": test_rounds_list(meeting) if coordinator else [],
            "round_form": round_form or (_round_form(meeting) if planner else None),
        },
        status=status,
    )


@login_required
def test_matrix_page(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting(request, pk)
    if request.method != "POST":
        return _render_matrix(request, meeting)
    coordinator = can_manage_meetings(request.user)
    own = None if coordinator else _own_venues(request, meeting)
    rows = _changed_rows(request, test_matrix(meeting, unit=_unit(request), venue_ids=own))
    try:
        saved = test_results_record(meeting, by=request.user, rows=rows) if rows else []
    except PermissionDenied as exc:
        return _render_matrix(
            request, meeting, error={"message": str(exc), "details": []}, status=403
        )
    except ApplicationError as exc:
        error = {
            "message": exc.message,
            "details": [str(e["message"]) for e in exc.errors if e.get("message")],
        }
        return _render_matrix(request, meeting, error=error, status=exc.status_code)
    messages.success(request, _("已保存 %(n)s 个会场的结果。") % {"n": len(saved)})
    return redirect(request.get_full_path())


@login_required
@require_POST
def test_round_create(request: HttpRequest, pk: int) -> HttpResponse:
    """The compact form on the matrix page: schedule a round (time slot, optionally one city)."""
    meeting = _meeting(request, pk)
    form = _round_form(meeting, request.POST)
    if not form.is_valid():
        return _render_matrix(request, meeting, round_form=form, status=422)
    try:
        round_ = test_round_add(meeting, by=request.user, **form.cleaned_data)
    except PermissionDenied as exc:
        form.add_error(None, str(exc))
        return _render_matrix(request, meeting, round_form=form, status=403)
    except ApplicationError as exc:
        form.add_service_errors(exc)
        return _render_matrix(request, meeting, round_form=form, status=exc.status_code)
    messages.success(request, _("已安排第 %(n)s 轮。") % {"n": round_.number})
    return redirect(matrix_url(meeting))


@login_required
@require_GET
def test_matrix_counts(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting(request, pk)
    matrix = test_matrix(meeting, unit=_unit(request))
    return render(
        request, "meetings/test_matrix.html#counts", {"matrix": matrix, "meeting": meeting}
    )


@login_required
@require_GET
def test_matrix_export(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting(request, pk)
    matrix = test_matrix(meeting, unit=_unit(request))
    book = Workbook()
    sheet = book.active
    sheet.title = str(_("联调结果"))
    header = [str(_("会场")), str(_("单位"))]
    for round_ in matrix["rounds"]:
        header += [
            f"{_('第%(n)s轮') % {'n': round_.number}} {CHECK_NAMES[c]}" for c in TestResult.CHECKS
        ]
        header.append(f"{_('第%(n)s轮') % {'n': round_.number}} {_('备注')}")
    sheet.append(header)
    fills = {
        "pass": PatternFill("solid", fgColor="DCFCE7"),
        "fail": PatternFill("solid", fgColor="FEE2E2"),
    }
    labels = {"pass": str(_("通过")), "fail": str(_("不通过")), "": ""}
    for row in matrix["rows"]:
        line = [row["venue"].name, row["venue"].org_unit.name]
        for cell in row["cells"]:
            result = cell["result"]
            line += [labels[getattr(result, c)] if result else "" for c in TestResult.CHECKS]
            line.append(result.note if result else "")
        sheet.append(line)
        for column, value in enumerate(line, start=1):
            for key, label in labels.items():
                if key and value == label:
                    sheet.cell(row=sheet.max_row, column=column).fill = fills[key]
    out = io.BytesIO()
    book.save(out)
    response = HttpResponse(
        out.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="joint-test-{meeting.pk}.xlsx"'
    return response


def matrix_url(meeting: Meeting) -> str:
    return reverse("meetings:test_matrix", args=[meeting.pk])

"""Report pages: a meeting's report (and its Excel and PDF), the monthly KPIs (and their Excel
and trend charts)."""

from csp.decorators import csp_update
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from vcassure.core.http import get_or_404
from vcassure.meetings.selectors import meeting_get
from vcassure.reports import files
from vcassure.reports.exports.charts import CHARTS
from vcassure.reports.selectors import kpi_table, meeting_report, parse_month
from vcassure.reports.selectors.kpis import LEVELS, add_months


@login_required
@require_GET
def meeting_report_page(request: HttpRequest, pk: int):
    meeting = get_or_404(meeting_get, user=request.user, pk=pk)
    report = meeting_report(meeting, user=request.user)
    fmt = request.GET.get("format", "")
    if fmt:
        return files.report_file(report, fmt)
    return render(request, "reports/meeting_report.html", files.page_context(report))


def _kpi_args(request: HttpRequest):
    month = parse_month(request.GET.get("month"))
    level = request.GET.get("level") or "city"
    if month is None or level not in LEVELS:
        raise Http404
    return month, level


@login_required
@require_GET
def kpi_page(request: HttpRequest):
    month, level = _kpi_args(request)
    table = kpi_table(user=request.user, month=month, level=level)
    if request.GET.get("format"):
        return files.kpi_file(table, request.GET["format"])
    key = f"{month:%Y-%m}"
    return render(
        request,
        "reports/kpis.html",
        {
            "table": table,
            "month": key,
            "level": level,
            "levels": [("city", _("市")), ("county", _("县(区)"))],
            "previous": f"{add_months(month, -1):%Y-%m}",
            "next": f"{add_months(month, 1):%Y-%m}",
        },
    )


@csp_update({"style-src": ["'unsafe-inline'"]})  # type: ignore[arg-type]
@login_required
@require_GET
def kpi_chart(request: HttpRequest, name: str):
    """A trend chart as an SVG image. pygal styles its SVG with an inline <style>, which the
    site's CSP refuses: this image response alone allows it (it carries no script)."""
    month, level = _kpi_args(request)
    draw = CHARTS.get(name)
    if draw is None:
        raise Http404
    table = kpi_table(user=request.user, month=month, level=level)
    return HttpResponse(draw(table.trend), content_type="image/svg+xml; charset=utf-8")

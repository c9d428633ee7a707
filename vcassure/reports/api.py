"""The reports API (SPEC §6.2): a meeting's report (JSON, or the file with ?format=xlsx|pdf) and
the monthly KPIs."""

from typing import Literal

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router

from vcassure.core.errors import InvalidInputError
from vcassure.core.schemas import ErrorOut
from vcassure.meetings.selectors import meeting_get
from vcassure.reports import files
from vcassure.reports.exports.workbook import XLSX
from vcassure.reports.schemas import KpisOut, ReportOut
from vcassure.reports.selectors import kpi_table, meeting_report, parse_month

router = Router(tags=["reports"])
BINARY = {"schema": {"type": "string", "format": "binary"}}
# ?format=xlsx|pdf answers with the file instead of JSON.
FILES = {"responses": {200: {"content": {XLSX: BINARY, "application/pdf": BINARY}}}}


@router.get(
    "/meetings/{int:meeting_id}/report",
    response={200: ReportOut, 404: ErrorOut},
    summary="The meeting report; ?format=xlsx or ?format=pdf returns the file",
    openapi_extra=FILES,
)
def report(request: HttpRequest, meeting_id: int, format: Literal["json", "xlsx", "pdf"] = "json"):
    meeting = meeting_get(user=request.user, pk=meeting_id)
    data = meeting_report(meeting, user=request.user)
    if format != "json":
        return files.report_file(data, format)
    return data.as_json()


@router.get(
    "/reports/kpis",
    response={200: KpisOut, 422: ErrorOut},
    summary="Monthly KPIs per unit of a level (city or county), ranked, with the 12-month trend",
    openapi_extra=FILES,
)
def kpis(
    request: HttpRequest,
    month: str = "",
    level: Literal["city", "county"] = "city",
    format: Literal["json", "xlsx", "pdf"] = "json",
):
    parsed = parse_month(month)
    if parsed is None:
        raise InvalidInputError(
            _("月份格式应为 YYYY-MM。"),
            errors=[{"field": "month", "message": _("例如 2026-09。")}],
        )
    table = kpi_table(user=request.user, month=parsed, level=level)
    if format != "json":
        return files.kpi_file(table, format)
    return {
        "month": f"{parsed:%Y-%m}",
        "level": level,
        "items": table.rows,
        "count": len(table.rows),
        "trend": table.trend,
    }

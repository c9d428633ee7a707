"""The report and the KPIs as downloads (Excel, PDF), for the pages and the API."""

from django.http import Http404, HttpResponse
from django.utils.translation import gettext as _

from vcassure.reports.exports import charts
from vcassure.reports.exports.pdf import pdf_from_template, svg_data_uri
from vcassure.reports.exports.workbook import XLSX, kpi_workbook, report_workbook
from vcassure.reports.selectors import KpiTable, MeetingReport


def _download(content: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


def report_file(report: MeetingReport, fmt: str) -> HttpResponse:
    name = f"meeting-{report.meeting.pk}-report"
    if fmt == "xlsx":
        return _download(report_workbook(report), XLSX, f"{name}.xlsx")
    if fmt == "pdf":
        content = pdf_from_template("reports/meeting_report_pdf.html", pdf_context(report))
        return _download(content, "application/pdf", f"{name}.pdf")
    raise Http404(_("不支持的格式。"))


# A PDF lists at most this many rows per table (WeasyPrint lays tables out slowly, and a printed
# report of a 2,000-venue meeting reads better short); the Excel workbook has every row.
PDF_ROWS = 60
# The page lists at most this many venues that need attention.
PAGE_ROWS = 200


def attention_rows(report: MeetingReport) -> list[dict]:
    """Venues that answered late or never, were not ready before the start, or had a fault."""
    return [
        r
        for r in report.venues
        if r["ack"] != "on_time" or r["ready_start"] != "on_time" or r["faults"]
    ]


def pdf_context(report: MeetingReport) -> dict:
    attention = attention_rows(report)
    units = report.units
    if len(units) > PDF_ROWS:  # a province-wide meeting: the cities here, the counties in Excel
        units = [u for u in units if u["level"] == "city"]
    open_coordination = [c for c in report.coordination if c["state"] not in ("done", "cancelled")]
    return {
        "meeting": report.meeting,
        "report": report,
        "s": report.summary,
        "pdf": True,
        "units": units,
        "faults": report.faults[:PDF_ROWS],
        "coordination": report.coordination
        if len(report.coordination) <= PDF_ROWS // 2
        else open_coordination[: PDF_ROWS // 2],
        "attention": attention[:PDF_ROWS],
        "attention_more": max(0, len(attention) - PDF_ROWS),
        "cut": len(units) < len(report.units)
        or len(report.faults) > PDF_ROWS
        or len(report.coordination) > PDF_ROWS // 2,
    }


def page_context(report: MeetingReport) -> dict:
    attention = attention_rows(report)
    return {
        "meeting": report.meeting,
        "report": report,
        "s": report.summary,
        "units": report.units,
        "faults": report.faults,
        "coordination": report.coordination,
        "attention": attention[:PAGE_ROWS],
        "attention_more": max(0, len(attention) - PAGE_ROWS),
    }


def kpi_file(table: KpiTable, fmt: str) -> HttpResponse:
    name = f"kpis-{table.month:%Y-%m}-{table.level}"
    if fmt == "xlsx":
        return _download(kpi_workbook(table), XLSX, f"{name}.xlsx")
    if fmt == "pdf":
        content = pdf_from_template(
            "reports/kpis_pdf.html",
            {
                "table": table,
                "month": f"{table.month:%Y-%m}",
                "charts": [svg_data_uri(draw(table.trend)) for draw in charts.CHARTS.values()],
            },
        )
        return _download(content, "application/pdf", f"{name}.pdf")
    raise Http404(_("不支持的格式。"))

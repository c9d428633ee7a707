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
        attention = [
            r
            for r in report.venues
            if r["ack"] != "on_time" or r["ready_start"] != "on_time" or r["faults"]
        ]
        content = pdf_from_template(
            "reports/meeting_report_pdf.html",
            {
                "meeting": report.meeting,
                "report": report,
                "s": report.summary,
                "attention": attention[:PDF_ROWS],
                "attention_more": max(0, len(attention) - PDF_ROWS),
            },
        )
        return _download(content, "application/pdf", f"{name}.pdf")
    raise Http404(_("不支持的格式。"))


# The PDF lists the venues that need attention up to this many; the Excel workbook has them all.
PDF_ROWS = 300


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

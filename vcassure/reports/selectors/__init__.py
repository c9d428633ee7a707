"""Reads for the reports: one meeting's report (meeting_report.py) and the monthly KPIs (kpis.py)."""

from vcassure.reports.selectors.kpis import KpiTable, kpi_table, month_bounds, parse_month
from vcassure.reports.selectors.meeting_report import MeetingReport, meeting_report

__all__ = [
    "KpiTable",
    "MeetingReport",
    "kpi_table",
    "meeting_report",
    "month_bounds",
    "parse_month",
]

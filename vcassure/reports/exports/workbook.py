"""Excel exports (openpyxl, write-only: a 2,000-venue meeting streams row by row)."""

from datetime import datetime
from io import BytesIO

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from vcassure.reports.selectors import KpiTable, MeetingReport

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _cell(value):
    """Local wall-clock time without zone (Excel has none); everything else as it is."""
    if isinstance(value, datetime):
        return timezone.localtime(value).replace(tzinfo=None)
    return value


def _header(sheet, labels: list[str]) -> None:
    cells = []
    for label in labels:
        cell = WriteOnlyCell(sheet, value=label)
        cell.font = Font(bold=True)
        cells.append(cell)
    sheet.append(cells)


def _status(value: str) -> str:
    return {"on_time": _("按时"), "late": _("超时"), "never": _("未完成")}.get(value, value)


def _save(book: Workbook) -> bytes:
    out = BytesIO()
    book.save(out)
    return out.getvalue()


def report_workbook(report: MeetingReport) -> bytes:
    m, s = report.meeting, report.summary
    book = Workbook(write_only=True)
    sheet = book.create_sheet(_("汇总"))
    sheet.column_dimensions["A"].width = 28
    sheet.column_dimensions["B"].width = 24
    _header(sheet, [_("项目"), _("数值")])
    ms = report.milestones
    for label, value in [
        (_("会议名称"), m.title),
        (_("开始时间"), m.starts_at),
        (_("结束时间"), m.ends_at),
        (_("收到通知"), ms["notice_received_at"]),
        (_("发布时间"), ms["published_at"]),
        (_("全部确认"), ms["all_acknowledged_at"]),
        (_("会场数"), s["venues"]),
        (_("按时确认"), s["acknowledged_on_time"]),
        (_("超时确认"), s["acknowledged_late"]),
        (_("未确认"), s["unanswered"]),
        (_("按时到场"), s["on_site_on_time"]),
        (_("按时就绪(T−30)"), s["ready_on_time"]),
        (_("开会前就绪"), s["ready_before_start"]),
        (_("开会后就绪"), s["ready_late"]),
        (_("未就绪"), s["not_ready"]),
        (_("已记录关机"), s["shutdown_recorded"]),
        (_("故障数"), s["faults"]),
        (_("平均响应时长(分钟)"), s["mtta_minutes"]),
        (_("平均修复时长(分钟)"), s["mttr_minutes"]),
        (_("升级提醒"), report.escalations["escalations"]),
        (_("逾期提醒"), report.escalations["overdue_reminders"]),
        (_("电话通知"), report.escalations["phone_calls"]),
        (_("现场照片"), report.evidence["photos"]),
        (_("关闭人"), report.signed_off["by"]),
        (_("关闭时间"), report.signed_off["at"]),
        (_("关闭说明"), report.signed_off["note"]),
    ]:
        sheet.append([label, _cell(value)])
    for c in report.channels:
        sheet.append([_("%(label)s 按时确认率(%%)") % {"label": c["label"]}, c["on_time_rate"]])

    sheet = book.create_sheet(_("会场明细"))
    _header(
        sheet,
        [
            _("会场"),
            _("会场编码"),
            _("市"),
            _("县(区)"),
            _("乡镇(街道)"),
            _("负责人"),
            _("状态"),
            _("确认时间"),
            _("确认时限"),
            _("确认"),
            _("到场时间"),
            _("到场时限"),
            _("到场"),
            _("就绪时间"),
            _("就绪时限"),
            _("就绪(时限)"),
            _("开会前就绪"),
            _("关机时间"),
            _("故障"),
            _("照片"),
            _("检查通过"),
            _("检查不通过"),
        ],
    )
    for r in report.venues:
        sheet.append(
            [
                r["venue"],
                r["venue_code"],
                r["city"],
                r["county"],
                r["org_unit"],
                r["assignee"],
                r["state_label"],
                _cell(r["acknowledged_at"]),
                _cell(r["ack_due_at"]),
                _status(r["ack"]),
                _cell(r["checked_in_at"]),
                _cell(r["on_site_due_at"]),
                _status(r["on_site"]),
                _cell(r["ready_at"]),
                _cell(r["ready_due_at"]),
                _status(r["ready_due"]),
                _status(r["ready_start"]),
                _cell(r["shutdown_at"]),
                r["faults"],
                r["photos"],
                r["checks_passed"],
                r["checks_failed"],
            ]
        )

    sheet = book.create_sheet(_("单位统计"))
    _header(
        sheet,
        [
            _("单位"),
            _("层级"),
            _("会场数"),
            _("按时确认"),
            _("超时确认"),
            _("未确认"),
            _("按时到场"),
            _("按时就绪(T−30)"),
            _("开会前就绪"),
            _("开会后就绪"),
            _("未就绪"),
            _("故障数"),
            _("按时确认率(%)"),
            _("开会前就绪率(%)"),
        ],
    )
    for u in report.units:
        sheet.append(
            [
                u["name"],
                u["level"],
                u["venues"],
                u["acknowledged_on_time"],
                u["acknowledged_late"],
                u["unanswered"],
                u["on_site_on_time"],
                u["ready_on_time"],
                u["ready_before_start"],
                u["ready_late"],
                u["not_ready"],
                u["faults"],
                u["ack_on_time_rate"],
                u["ready_before_start_rate"],
            ]
        )

    sheet = book.create_sheet(_("故障"))
    _header(
        sheet,
        [
            _("编号"),
            _("故障"),
            _("会场"),
            _("严重程度"),
            _("状态"),
            _("发现时间"),
            _("受理时间"),
            _("恢复时间"),
            _("响应时长(分钟)"),
            _("修复时长(分钟)"),
        ],
    )
    for f in report.faults:
        sheet.append(
            [
                f["id"],
                f["title"],
                f["venue"],
                f["severity"],
                f["state_label"],
                _cell(f["opened_at"]),
                _cell(f["acknowledged_at"]),
                _cell(f["restored_at"]),
                f["ack_minutes"],
                f["restore_minutes"],
            ]
        )
    return _save(book)


KPI_COLUMNS = [
    ("rank", gettext_lazy("排名")),
    ("name", gettext_lazy("单位")),
    ("meetings", gettext_lazy("会议数")),
    ("venue_tasks", gettext_lazy("会场任务数")),
    ("ack_on_time_rate", gettext_lazy("按时确认率(%)")),
    ("ready_before_start_rate", gettext_lazy("开会前就绪率(%)")),
    ("faults", gettext_lazy("故障数")),
    ("faults_per_100", gettext_lazy("每百会场故障数")),
    ("mtta_minutes", gettext_lazy("平均响应时长(分钟)")),
    ("mttr_minutes", gettext_lazy("平均修复时长(分钟)")),
    ("inspections_done_rate", gettext_lazy("巡检完成率(%)")),
]


def kpi_workbook(table: KpiTable) -> bytes:
    book = Workbook(write_only=True)
    sheet = book.create_sheet(_("月度通报"))
    _header(sheet, [str(label) for _key, label in KPI_COLUMNS])
    for row in table.rows:
        sheet.append([row[key] for key, _label in KPI_COLUMNS])
    sheet = book.create_sheet(_("12个月趋势"))
    trend_columns = [("month", gettext_lazy("月份")), *KPI_COLUMNS[2:]]
    _header(sheet, [str(label) for _key, label in trend_columns])
    for row in table.trend:
        sheet.append([row[key] for key, _label in trend_columns])
    return _save(book)

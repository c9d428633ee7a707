"""The duty report of a period: hours on duty per person and per unit, late and missed
check-ins, as rows for the page and as an Excel workbook (openpyxl). Reads only."""

from dataclasses import dataclass, field
from datetime import timedelta
from io import BytesIO

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from vcassure.accounts.types import UserLike
from vcassure.core import clock
from vcassure.duty.models import DutyRule, SpecialPeriod
from vcassure.duty.roster import local_zone
from vcassure.duty.selectors import period_shifts


@dataclass
class Line:
    name: str
    unit: str = ""
    shifts: int = 0
    planned_hours: float = 0.0
    duty_hours: float = 0.0
    late: int = 0
    missed: int = 0


@dataclass
class DutyReport:
    people: list[Line] = field(default_factory=list)
    units: list[Line] = field(default_factory=list)
    late: list = field(default_factory=list)  # (shift, minutes late)
    missed: list = field(default_factory=list)  # shifts
    uncovered: int = 0


def _hours(delta: timedelta) -> float:
    return round(max(delta.total_seconds(), 0) / 3600, 2)


def duty_report(*, user: UserLike, period: SpecialPeriod) -> DutyReport:
    now = clock.now()
    grace = timedelta(minutes=DutyRule.current().missed_check_in_minutes)
    report = DutyReport()
    people: dict[int, Line] = {}
    units: dict[int, Line] = {}
    for shift in period_shifts(user=user, period=period).select_related("assignee__org_unit"):
        person = shift.assignee
        if person is None:
            report.uncovered += 1
            continue
        line = people.get(person.pk)
        if line is None:
            line = people[person.pk] = Line(person.name, person.org_unit.name)
        unit = units.get(person.org_unit_id)
        if unit is None:
            unit = units[person.org_unit_id] = Line(person.org_unit.name)
        planned = _hours(shift.ends_at - shift.starts_at)
        worked = 0.0
        if shift.checked_in_at is not None:
            until = min(shift.checked_out_at or min(now, shift.ends_at), shift.ends_at)
            worked = _hours(until - max(shift.checked_in_at, shift.starts_at))
        late = shift.checked_in_at is not None and shift.checked_in_at > shift.starts_at
        missed = shift.checked_in_at is None and shift.starts_at + grace < now
        for target in (line, unit):
            target.shifts += 1
            target.planned_hours += planned
            target.duty_hours += worked
            target.late += int(late)
            target.missed += int(missed)
        if late and shift.checked_in_at is not None:
            minutes = int((shift.checked_in_at - shift.starts_at).total_seconds() // 60)
            report.late.append((shift, minutes))
        if missed:
            report.missed.append(shift)
    report.people = sorted(people.values(), key=lambda x: (x.unit, x.name))
    report.units = sorted(units.values(), key=lambda x: x.name)
    for line in (*report.people, *report.units):
        line.planned_hours = round(line.planned_hours, 1)
        line.duty_hours = round(line.duty_hours, 1)
    return report


def duty_report_xlsx(report: DutyReport, period: SpecialPeriod) -> bytes:
    zone = local_zone()
    book = Workbook()
    bold = Font(bold=True)

    def sheet(ws, header, rows):
        ws.append(header)
        for cell in ws[1]:
            cell.font = bold
        for row in rows:
            ws.append(row)

    sheet(
        book.active,
        [_("人员"), _("单位"), _("班次"), _("排班小时"), _("在岗小时"), _("迟到签到"), _("未签到")],
        [
            [x.name, x.unit, x.shifts, x.planned_hours, x.duty_hours, x.late, x.missed]
            for x in report.people
        ],
    )
    book.active.title = _("按人员")
    sheet(
        book.create_sheet(_("按单位")),
        [_("单位"), _("班次"), _("排班小时"), _("在岗小时"), _("迟到签到"), _("未签到")],
        [[x.name, x.shifts, x.planned_hours, x.duty_hours, x.late, x.missed] for x in report.units],
    )
    sheet(
        book.create_sheet(_("迟到与未签到")),
        [_("会场"), _("人员"), _("班次开始"), _("签到时间"), _("情况")],
        [
            [
                s.venue.name,
                s.assignee.name,
                s.starts_at.astimezone(zone).strftime("%Y-%m-%d %H:%M"),
                s.checked_in_at.astimezone(zone).strftime("%Y-%m-%d %H:%M"),
                _("迟到 %(n)s 分钟") % {"n": minutes},
            ]
            for s, minutes in report.late
        ]
        + [
            [
                s.venue.name,
                s.assignee.name,
                s.starts_at.astimezone(zone).strftime("%Y-%m-%d %H:%M"),
                "",
                _("未签到"),
            ]
            for s in report.missed
        ],
    )
    out = BytesIO()
    book.save(out)
    return out.getvalue()

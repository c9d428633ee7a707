"""Monthly KPIs per city or county (C12, SPEC §6.2) and their 12-month trend: meetings, venue
tasks, acknowledgement on time, ready before start, faults (and per 100 venue-meetings), MTTA,
MTTR, inspections done (routine's completion rate per unit and month). The caller's scope only;
one read of the venue tasks and one of the faults over the 12 months, whatever the number of
meetings, and one read of the inspections per month."""

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime

from django.utils import timezone

from vcassure.accounts.types import UserLike
from vcassure.faults.models import Fault
from vcassure.meetings.models import Meeting, SupportTask
from vcassure.orgs.models import OrgUnit
from vcassure.reports.selectors._common import (
    ack_due_subquery,
    ack_status,
    mean,
    minutes,
    rate,
    task_ref_expr,
)
from vcassure.routine.selectors import inspection_done_rates

LEVELS = ("city", "county")
LEVEL_DEPTH = {"city": 1, "county": 2}
COUNTED_STATES = (Meeting.State.IN_PROGRESS, Meeting.State.ENDED, Meeting.State.CLOSED)
MONTH_RE = re.compile(r"^(\d{4})-(\d{2})$")


def parse_month(value: str | None, *, today: date | None = None) -> date | None:
    """ "2026-09" → date(2026, 9, 1); blank → this month; anything else → None."""
    if not value:
        today = today or timezone.localdate()
        return today.replace(day=1)
    match = MONTH_RE.match(value.strip())
    if not match:
        return None
    year, month = int(match.group(1)), int(match.group(2))
    if not (1 <= month <= 12 and 2000 <= year <= 2100):
        return None
    return date(year, month, 1)


def add_months(month: date, n: int) -> date:
    index = month.year * 12 + month.month - 1 + n
    return date(index // 12, index % 12 + 1, 1)


def month_bounds(month: date) -> tuple[datetime, datetime]:
    """Local midnight of the month's first day and of the next month's."""
    tz = timezone.get_default_timezone()
    start = datetime(month.year, month.month, 1, tzinfo=tz)
    nxt = add_months(month, 1)
    return start, datetime(nxt.year, nxt.month, 1, tzinfo=tz)


@dataclass
class KpiTable:
    month: date
    level: str
    rows: list[dict] = field(default_factory=list)
    trend: list[dict] = field(default_factory=list)
    total: dict = field(default_factory=dict)


def _measures(
    c: Counter, meeting_ids: set[int], fault_times: list[tuple], inspections: dict | None = None
) -> dict:
    return {
        "meetings": len(meeting_ids),
        "venue_tasks": c["tasks"],
        "ack_on_time_rate": rate(c["on_time"], c["tasks"]),
        "ready_before_start_rate": rate(c["ready"], c["tasks"]),
        "faults": len(fault_times),
        "faults_per_100": round(len(fault_times) * 100 / c["tasks"], 1) if c["tasks"] else None,
        "mtta_minutes": mean([m for o, a, _r in fault_times if (m := minutes(o, a)) is not None]),
        "mttr_minutes": mean([m for o, _a, r in fault_times if (m := minutes(o, r)) is not None]),
        "inspections_done_rate": (
            rate(inspections["done"], inspections["due"]) if inspections else None
        ),
    }


def kpi_table(*, user: UserLike, month: date, level: str) -> KpiTable:
    depth = LEVEL_DEPTH[level]
    first = add_months(month, -11)
    start, _end = month_bounds(first)
    _start, end = month_bounds(month)
    tz = timezone.get_default_timezone()
    tasks = (
        SupportTask.objects.visible_to(user)
        .filter(
            kind=SupportTask.Kind.VENUE,
            meeting__state__in=COUNTED_STATES,
            meeting__starts_at__gte=start,
            meeting__starts_at__lt=end,
        )
        .exclude(state=SupportTask.State.CANCELLED)
    )
    rows = tasks.annotate(ack_due=ack_due_subquery()).values_list(
        "org_unit__path",
        "meeting_id",
        "meeting__starts_at",
        "acknowledged_at",
        "ack_due",
        "ready_at",
    )
    month_key = (month.year, month.month)
    per_unit: dict[int, Counter] = defaultdict(Counter)
    unit_meetings: dict[int, set[int]] = defaultdict(set)
    per_month: dict[tuple[int, int], Counter] = defaultdict(Counter)
    month_meetings: dict[tuple[int, int], set[int]] = defaultdict(set)
    for path, meeting_id, starts_at, acknowledged_at, due, ready_at in rows.iterator(
        chunk_size=5000
    ):
        local = starts_at.astimezone(tz)
        key = (local.year, local.month)
        on_time = ack_status(acknowledged_at, due) == "on_time"
        ready = ready_at is not None and ready_at <= starts_at
        m = per_month[key]
        m["tasks"] += 1
        m["on_time"] += on_time
        m["ready"] += ready
        month_meetings[key].add(meeting_id)
        if key != month_key:
            continue
        chain = OrgUnit.path_ids(path)
        if len(chain) <= depth:
            continue
        unit_id = chain[depth]
        c = per_unit[unit_id]
        c["tasks"] += 1
        c["on_time"] += on_time
        c["ready"] += ready
        unit_meetings[unit_id].add(meeting_id)

    fault_rows = Fault.objects.filter(
        subject__in=tasks.values_list(task_ref_expr(), flat=True)
    ).values_list("org_unit__path", "opened_at", "acknowledged_at", "restored_at", "subject")
    # A fault counts in the month of its meeting: read the meetings' start through the subject.
    task_month = {
        pk: (s.astimezone(tz).year, s.astimezone(tz).month)
        for pk, s in tasks.values_list("id", "meeting__starts_at")
    }
    unit_faults: dict[int, list[tuple]] = defaultdict(list)
    month_faults: dict[tuple[int, int], list[tuple]] = defaultdict(list)
    for path, opened, acknowledged, restored, subject in fault_rows:
        task_id = int(subject.partition(":")[2])
        fault_month = task_month.get(task_id)
        if fault_month is None:
            continue
        month_faults[fault_month].append((opened, acknowledged, restored))
        chain = OrgUnit.path_ids(path)
        if fault_month == month_key and len(chain) > depth:
            unit_faults[chain[depth]].append((opened, acknowledged, restored))

    units = OrgUnit.objects.visible_to(user).filter(level=level).order_by("code")
    units = list(units.only("id", "name", "code", "parent__name").select_related("parent"))
    unit_ids = [unit.pk for unit in units]
    # Inspections per unit of the level, and their sum over the level's units for the trend
    # (units of one level never overlap).
    month_inspections = {}
    for i in range(12):
        this = add_months(first, i)
        per = inspection_done_rates(unit_ids, this) if unit_ids else {}
        month_inspections[(this.year, this.month)] = (
            per,
            {
                "due": sum(v["due"] for v in per.values()),
                "done": sum(v["done"] for v in per.values()),
            },
        )
    unit_inspections = month_inspections[month_key][0]
    table = []
    for unit in units:
        c = per_unit.get(unit.pk, Counter())
        table.append(
            {
                "org_unit": unit.pk,
                "name": unit.name,
                "code": unit.code,
                "parent": unit.parent.name if unit.parent else "",
                **_measures(
                    c,
                    unit_meetings.get(unit.pk, set()),
                    unit_faults.get(unit.pk, []),
                    unit_inspections.get(unit.pk),
                ),
            }
        )
    # The monthly ranking (通报): most answers on time, then most venues ready before the start,
    # then fewest faults per 100 venue-meetings; units without venue tasks last.
    table.sort(
        key=lambda r: (
            r["venue_tasks"] == 0,
            -(r["ack_on_time_rate"] or 0),
            -(r["ready_before_start_rate"] or 0),
            r["faults_per_100"] or 0,
            r["code"],
        )
    )
    for i, row in enumerate(table, 1):
        row["rank"] = i if row["venue_tasks"] else None
    trend = []
    for i in range(12):
        this = add_months(first, i)
        key = (this.year, this.month)
        trend.append(
            {
                "month": f"{this.year}-{this.month:02d}",
                **_measures(
                    per_month.get(key, Counter()),
                    month_meetings.get(key, set()),
                    month_faults.get(key, []),
                    month_inspections[key][1],
                ),
            }
        )
    return KpiTable(month=month, level=level, rows=table, trend=trend, total=trend[-1])

"""Reads of periods and shifts, always from visible_to(user): another county's period or shift is
a 404. The grid, the live page and the problem list each run in a constant number of queries."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db.models import Count, Q, QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _

from vcassure.accounts.types import UserLike
from vcassure.core import clock
from vcassure.core.agenda import agenda_items
from vcassure.core.subjects import SubjectLabel
from vcassure.duty.models import DutyRule, Shift, ShiftSwap, SpecialPeriod
from vcassure.duty.permissions import own_staff_id
from vcassure.duty.roster import local_zone, pool_unit_id
from vcassure.duty.rules import Limits, rule_message, schedule_problems
from vcassure.orgs.models import OrgUnit, Staff
from vcassure.venues.models import Venue


def period_list(*, user: UserLike) -> QuerySet[SpecialPeriod]:
    return (
        SpecialPeriod.objects.visible_to(user)
        .select_related("org_unit")
        .annotate(venue_count=Count("venues", distinct=True))
        .order_by("-starts_on", "-pk")
    )


def period_get(*, user: UserLike, pk: int) -> SpecialPeriod:
    return SpecialPeriod.objects.visible_to(user).select_related("org_unit").get(pk=pk)


def period_shifts(*, user: UserLike, period: SpecialPeriod) -> QuerySet[Shift]:
    """The period's shifts the caller may see (a county sees its own venues' shifts)."""
    return (
        Shift.objects.visible_to(user)
        .filter(period=period)
        .select_related("venue", "assignee")
        .order_by("starts_at", "venue__code")
    )


def shift_list(*, user: UserLike) -> QuerySet[Shift]:
    return (
        Shift.objects.visible_to(user)
        .select_related("venue", "assignee")
        .order_by("starts_at", "venue__code")
    )


def shift_get(*, user: UserLike, pk: int) -> Shift:
    """A shift in the caller's scope, or their own wherever it is (an emergency person from the
    county may stand in at another county's venue)."""
    condition = Q(pk__in=Shift.objects.visible_to(user).filter(pk=pk).values("pk"))
    staff_id = own_staff_id(user)
    if staff_id is not None:
        condition |= Q(assignee_id=staff_id)
    return (
        Shift.objects.filter(condition)
        .select_related("venue", "venue__org_unit", "assignee", "period")
        .get(pk=pk)
    )


def my_shifts(*, user: UserLike, staff_id: int | None) -> QuerySet[Shift]:
    if staff_id is None:
        return Shift.objects.none()
    return (
        Shift.objects.filter(assignee_id=staff_id)
        .select_related("venue", "period")
        .order_by("starts_at")
    )


def my_current_shifts(*, staff_id: int | None, now: datetime | None = None) -> list[Shift]:
    """The person's shifts from the one under way to two days ahead, for the phone page."""
    now = now or clock.now()
    if staff_id is None:
        return []
    return list(
        Shift.objects.filter(
            assignee_id=staff_id,
            ends_at__gt=now - timedelta(hours=2),
            starts_at__lt=now + timedelta(days=2),
        )
        .select_related("venue", "period")
        .order_by("starts_at")
    )


def shift_candidates(shift: Shift) -> QuerySet[Staff]:
    """Whom a cell's select offers: the venue's primary and backup, and the active staff of the
    venue's county (or its own unit above county level)."""
    venue = shift.venue
    pool_unit = pool_unit_id(venue.org_unit.path)
    ids = [x for x in (venue.primary_staff_id, venue.backup_staff_id) if x]
    return (
        Staff.objects.filter(Q(pk__in=ids) | Q(org_unit_id=pool_unit) | Q(org_unit=venue.org_unit))
        .filter(is_active=True)
        .order_by("-is_emergency_mobile", "code")
    )


# --- Rule-breaking and uncovered shifts -------------------------------------------------------------


@dataclass
class ShiftProblem:
    shift: Shift
    message: str


def roster_problems(shifts: list[Shift], *, limits: Limits | None = None) -> dict[int, str]:
    """shift id → the rule it breaks, judged on each person's whole schedule (their shifts in any
    period and, when the rule says so, their meeting tasks and inspections)."""
    rule = DutyRule.current()
    limits = limits or Limits.of(rule)
    assigned = [s for s in shifts if s.assignee_id]
    if not assigned:
        return {}
    staff_ids = {s.assignee_id for s in assigned if s.assignee_id is not None}
    start = min(s.starts_at for s in assigned) - limits.max_consecutive - limits.min_rest
    end = max(s.ends_at for s in assigned) + limits.max_consecutive + limits.min_rest
    per_person: dict[int, list[tuple[datetime, datetime, int | None]]] = defaultdict(list)
    for staff_id, pk, s, e in Shift.objects.filter(
        assignee_id__in=staff_ids, starts_at__lt=end, ends_at__gt=start
    ).values_list("assignee_id", "pk", "starts_at", "ends_at"):
        per_person[staff_id].append((s, e, pk))
    if rule.count_agenda:
        for item in agenda_items(staff_ids, start, end):
            per_person[item.staff_id].append((item.starts_at, item.ends_at, None))
    wanted = {s.pk for s in assigned}
    found: dict[int, str] = {}
    for rows in per_person.values():
        for index, code in schedule_problems([(s, e) for s, e, _pk in rows], limits):
            shift_id = rows[index][2]
            if shift_id is not None and shift_id in wanted and shift_id not in found:
                found[shift_id] = rule_message(code, limits)
    return found


def period_problems(
    *, user: UserLike, period: SpecialPeriod, limit: int = 200
) -> tuple[list[ShiftProblem], int, int]:
    """(first `limit` uncovered or rule-breaking shifts from the earliest, uncovered count,
    rule-breaking count)."""
    shifts = list(period_shifts(user=user, period=period).filter(ends_at__gt=clock.now()))
    broken = roster_problems(shifts)
    out: list[ShiftProblem] = []
    uncovered = 0
    for s in shifts:
        if s.assignee_id is None:
            uncovered += 1
            if len(out) < limit:
                out.append(ShiftProblem(s, ""))
        elif s.pk in broken and len(out) < limit:
            out.append(ShiftProblem(s, broken[s.pk]))
    return out, uncovered, len(broken)


# --- The week-by-venue grid -------------------------------------------------------------------------


@dataclass(slots=True)
class GridCell:
    """One shift as the grid shows it: plain values, no model instances (a county's week is some
    400 cells, and building three model objects per cell would cost more than the page)."""

    pk: int
    venue_id: int
    starts_at: datetime
    ends_at: datetime
    assignee_id: int | None
    label: str
    time: str = ""
    rule: str = ""
    css: str = ""
    html: str = ""  # the views fill it (views/cells.py)


@dataclass
class GridRow:
    venue_id: int
    venue_name: str
    days: list[list[GridCell]] = field(default_factory=list)


def grid_cells(rows, broken: dict[int, str], uncovered_label: str) -> list[GridCell]:
    """Cells from (pk, venue_id, starts_at, ends_at, assignee_id, assignee name) rows."""
    zone = local_zone()
    cells = []
    for pk, venue_id, starts_at, ends_at, assignee_id, name in rows:
        rule = broken.get(pk, "")
        cells.append(
            GridCell(
                pk=pk,
                venue_id=venue_id,
                starts_at=starts_at,
                ends_at=ends_at,
                assignee_id=assignee_id,
                label=name if assignee_id else uncovered_label,
                time=starts_at.astimezone(zone).strftime("%H:%M"),
                rule=rule,
                css=" gap" if not assignee_id else " broken" if rule else "",
            )
        )
    return cells


SHIFT_CELL_FIELDS = ("pk", "venue_id", "starts_at", "ends_at", "assignee_id", "assignee__name")


def period_week_grid(
    *, user: UserLike, period: SpecialPeriod, week_start: date, unit: OrgUnit | None
) -> tuple[list[date], list[GridRow], dict[int, str]]:
    """One week of the period from `week_start`: a row per venue (under `unit` when given), a
    cell per day with its shifts. A fixed number of queries whatever the number of venues."""
    zone = local_zone()
    days = [week_start + timedelta(days=i) for i in range(7)]
    start = datetime.combine(days[0], datetime.min.time(), tzinfo=zone)
    end = start + timedelta(days=7)
    qs = Shift.objects.visible_to(user).filter(
        period=period, starts_at__lt=end, starts_at__gte=start
    )
    if unit is not None:
        qs = qs.filter(venue__in=Venue.objects.in_subtree(unit))
    raw = list(
        qs.order_by("venue__org_unit__path", "venue__code", "starts_at").values_list(
            *SHIFT_CELL_FIELDS
        )
    )
    cells = grid_cells(raw, {}, "")
    broken = roster_problems(cells)  # type: ignore[arg-type]
    cells = grid_cells(raw, broken, _("未排人"))
    names = dict(Venue.objects.filter(pk__in={c.venue_id for c in cells}).values_list("id", "name"))
    rows: dict[int, GridRow] = {}
    for cell in cells:
        row = rows.get(cell.venue_id)
        if row is None:
            row = rows[cell.venue_id] = GridRow(
                cell.venue_id, names.get(cell.venue_id, ""), [[] for _ in days]
            )
        local_day = cell.starts_at.astimezone(zone).date()
        row.days[(local_day - days[0]).days].append(cell)
    return days, list(rows.values()), broken


def grid_cell(shift: Shift) -> GridCell:
    """The grid cell of one shift (the in-place editor answers with it)."""
    row = Shift.objects.filter(pk=shift.pk).values_list(*SHIFT_CELL_FIELDS).get()
    broken = roster_problems(grid_cells([row], {}, ""))  # type: ignore[arg-type]
    return grid_cells([row], broken, _("未排人"))[0]


# --- The live page ------------------------------------------------------------------------------


@dataclass
class LiveRow:
    venue: Venue
    shift: Shift | None
    status: (
        str  # "gap" (nobody assigned), "absent" (not checked in), "on_site", "off" (no shift now)
    )


def period_live(
    *, user: UserLike, period: SpecialPeriod, now: datetime | None = None
) -> list[LiveRow]:
    """Who is on site now at every venue of the period in the caller's scope, gaps first."""
    now = now or clock.now()
    venues = list(
        Venue.objects.visible_to(user)
        .filter(special_periods=period)
        .select_related("org_unit")
        .order_by("org_unit__path", "code")
    )
    current = {
        s.venue_id: s
        for s in Shift.objects.filter(period=period, starts_at__lte=now, ends_at__gt=now)
        .filter(venue__in=[v.pk for v in venues])
        .select_related("assignee")
    }
    rows = []
    for venue in venues:
        shift = current.get(venue.pk)
        if shift is None:
            status = "off"
        elif shift.assignee_id is None:
            status = "gap"
        elif shift.checked_in_at is None or shift.checked_out_at is not None:
            status = "absent"
        else:
            status = "on_site"
        rows.append(LiveRow(venue, shift, status))
    order = {"gap": 0, "absent": 1, "on_site": 2, "off": 3}
    rows.sort(key=lambda r: order[r.status])
    return rows


# --- Swaps -------------------------------------------------------------------------------------


def swap_list(*, user: UserLike, staff_id: int | None, manager: bool) -> QuerySet[ShiftSwap]:
    """Open swaps the caller must act on: asked of them, or (for a dispatcher) awaiting approval
    in their scope; and those they asked for."""
    qs = ShiftSwap.objects.visible_to(user).select_related("shift__venue", "requested_by", "taker")
    condition = Q(pk__in=[])
    if staff_id is not None:
        condition |= Q(requested_by_id=staff_id) | Q(taker_id=staff_id)
    if manager:
        condition |= Q(state=ShiftSwap.State.ACCEPTED)
    return qs.filter(condition).filter(state__in=ShiftSwap.OPEN_STATES)


def swap_get(*, user: UserLike, pk: int) -> ShiftSwap:
    return (
        ShiftSwap.objects.visible_to(user)
        .select_related("shift__venue", "shift__venue__org_unit", "requested_by", "taker")
        .get(pk=pk)
    )


# --- Labels for lower apps' pages -------------------------------------------------------------------


def shift_labels(ids: set[int]) -> dict[int, SubjectLabel]:
    labels = {}
    zone = local_zone()
    for s in Shift.objects.filter(pk__in=ids).select_related("venue", "assignee"):
        who = f" · {s.assignee.name}" if s.assignee else ""
        labels[s.pk] = SubjectLabel(
            f"{s.venue.name} {s.starts_at.astimezone(zone):%m-%d %H:%M}{who}",
            reverse("duty:shift_detail", args=[s.pk]),
        )
    return labels

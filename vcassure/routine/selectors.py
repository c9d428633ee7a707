"""Reads for routine work: plans and inspections in the caller's scope, when a plan falls due
(an rrule filtered by the working calendar), overdue lists and completion rates."""

from datetime import date, datetime, time, timedelta

from dateutil import rrule
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from vcassure.accounts.types import UserLike
from vcassure.core import clock
from vcassure.notifications.calendar import WorkingCalendar
from vcassure.orgs.models import OrgUnit
from vcassure.orgs.scoping import subtree_q
from vcassure.routine.models import Inspection, InspectionPlan
from vcassure.venues.models import Venue

RRULE_FREQ = {
    InspectionPlan.Frequency.DAILY: rrule.DAILY,
    InspectionPlan.Frequency.WEEKLY: rrule.WEEKLY,
    InspectionPlan.Frequency.MONTHLY: rrule.MONTHLY,
}


def plan_rule(plan: InspectionPlan) -> rrule.rrule:
    """The plan's recurrence as an rrule from its first day (weekdays 0 = Monday; a month day
    past the month's end, e.g. 31, falls on the month's last day)."""
    start = datetime.combine(plan.starts_on, time.min)
    if plan.frequency == InspectionPlan.Frequency.WEEKLY:
        return rrule.rrule(rrule.WEEKLY, dtstart=start, byweekday=sorted(plan.weekdays) or None)
    if plan.frequency == InspectionPlan.Frequency.MONTHLY:
        day = plan.month_day or plan.starts_on.day
        return rrule.rrule(rrule.MONTHLY, dtstart=start, bymonthday=(day, -1), bysetpos=1)
    return rrule.rrule(rrule.DAILY, dtstart=start)


def plan_dates(
    plan: InspectionPlan, first: date, last: date, *, calendar: WorkingCalendar | None = None
) -> list[date]:
    """The days from first to last (inclusive) on which the plan falls due. Working days only
    means the working calendar's workdays: statutory holidays are skipped and 调休 weekend days
    worked count as working days."""
    calendar = calendar or WorkingCalendar()
    days = [
        d.date()
        for d in plan_rule(plan).between(
            datetime.combine(first, time.min), datetime.combine(last, time.max), inc=True
        )
    ]
    if plan.frequency == InspectionPlan.Frequency.MONTHLY and plan.month_day:
        # bysetpos picks the month day itself or, in a short month, its last day.
        days = [d for d in days if d.day == plan.month_day or _last_of_month(d, plan.month_day)]
    if plan.working_days_only:
        days = [d for d in days if calendar.is_workday(d)]
    return days


def _last_of_month(d: date, wanted: int) -> bool:
    return (d + timedelta(days=1)).month != d.month and d.day < wanted


def plan_falls_on(plan: InspectionPlan, day: date, *, calendar=None) -> bool:
    return bool(plan_dates(plan, day, day, calendar=calendar))


def plan_venues(plan: InspectionPlan) -> QuerySet[Venue]:
    """The active venues the plan covers: chosen ones, or its filter's (levels and subtrees)
    within the plan's own unit."""
    qs = Venue.objects.filter(is_active=True, system_id=plan.system_id).filter(
        subtree_q(plan.org_unit.path)
    )
    if plan.venue_filter:
        levels = plan.venue_filter.get("levels") or []
        units = plan.venue_filter.get("org_units") or []
        qs = qs.filter(role=Venue.Role.BRANCH)
        if levels:
            qs = qs.filter(org_unit__level__in=levels)
        if units:
            condition = Q()
            for path in OrgUnit.objects.filter(pk__in=units).values_list("path", flat=True):
                condition |= subtree_q(path)
            qs = qs.filter(condition) if condition else qs.none()
    else:
        qs = qs.filter(pk__in=plan.venues.values("pk"))
    return qs.select_related("org_unit", "primary_staff", "backup_staff").order_by(
        "org_unit__path", "code"
    )


def plan_list(*, user: UserLike) -> QuerySet[InspectionPlan]:
    return (
        InspectionPlan.objects.visible_to(user)
        .select_related("system", "org_unit", "checklist_template")
        .annotate(
            open_count=Count("inspections", filter=Q(inspections__state__in=Inspection.OPEN_STATES))
        )
        .order_by("name", "id")
    )


def plan_get(*, user: UserLike, pk: int) -> InspectionPlan:
    return plan_list(user=user).get(pk=pk)


def inspection_list(
    *,
    user: UserLike,
    mine: bool = False,
    state: str = "",
    plan: int | None = None,
    org_unit: int | None = None,
    overdue: bool = False,
) -> QuerySet[Inspection]:
    """Inspections in scope; `mine`: the caller's own (as assignee), which a township person
    sees even when it is the only thing they see."""
    if mine:
        staff = getattr(user, "staff_profile", None)
        if staff is None:
            return Inspection.objects.none()
        qs = Inspection.objects.filter(assignee=staff)
    else:
        qs = Inspection.objects.visible_to(user)
    if state:
        qs = qs.filter(state=state)
    if plan:
        qs = qs.filter(plan_id=plan)
    if org_unit:
        qs = qs.in_visible_unit(user, org_unit)
    if overdue:
        qs = qs.filter(state__in=Inspection.OPEN_STATES, due_at__lt=clock.now())
    return qs.select_related("plan", "venue", "org_unit", "assignee", "plan__checklist_template")


def inspection_get(*, user: UserLike, pk: int) -> Inspection:
    """An inspection the caller may see: in scope, or their own as its assignee."""
    staff = getattr(user, "staff_profile", None) if user.is_authenticated else None
    condition = Q(pk__in=Inspection.objects.visible_to(user).values("pk"))
    if staff is not None:
        condition |= Q(assignee=staff)
    return (
        Inspection.objects.filter(condition)
        .select_related("plan", "venue", "org_unit", "assignee", "plan__checklist_template", "run")
        .get(pk=pk)
    )


def inspection_done_rates(unit_ids, month: date | str) -> dict[int, dict]:
    """Completion of inspections per org unit (its whole subtree) in a month, for the KPIs:
    {unit_id: {"due": n, "done": n, "rate": 0.0–1.0 or None}}. `month` is a date in the month
    or "YYYY-MM". Counts inspections scheduled that month that are not cancelled; done means
    completed (any time). The caller applies scope by the unit ids it passes."""
    if isinstance(month, str):
        year, mon = (int(x) for x in month.split("-"))
        first = date(year, mon, 1)
    else:
        first = month.replace(day=1)
    after = (first + timedelta(days=32)).replace(day=1)
    units = list(OrgUnit.objects.filter(pk__in=list(unit_ids)).only("id", "path"))
    base = Inspection.objects.filter(scheduled_on__gte=first, scheduled_on__lt=after).exclude(
        state=Inspection.State.CANCELLED
    )
    aggregates = {}
    if units:
        kwargs = {}
        for unit in units:
            in_unit = subtree_q(unit.path)
            kwargs[f"due_{unit.pk}"] = Count("pk", filter=in_unit)
            kwargs[f"done_{unit.pk}"] = Count("pk", filter=in_unit & Q(state=Inspection.State.DONE))
        aggregates = base.aggregate(**kwargs)
    out = {}
    for unit in units:
        due, done = aggregates[f"due_{unit.pk}"], aggregates[f"done_{unit.pk}"]
        out[unit.pk] = {"due": due, "done": done, "rate": (done / due) if due else None}
    return out


def overdue_by_unit(*, user: UserLike) -> list[dict]:
    """Open inspections past their due time, grouped by the unit that owns the venue."""
    rows: dict[int, dict] = {}
    for inspection in inspection_list(user=user, overdue=True).order_by("org_unit__path", "due_at"):
        entry = rows.setdefault(
            inspection.org_unit_id, {"org_unit": inspection.org_unit, "inspections": []}
        )
        entry["inspections"].append(inspection)
    return list(rows.values())


def local_due_at(day: date, due: time) -> datetime:
    return timezone.make_aware(datetime.combine(day, due))


def inspection_card(inspection: Inspection) -> dict:
    """The checklist of an inspection, shaped like a venue task's card (the shared partial
    checklists/_checklists.html): its frozen steps once started, else the plan's template's."""
    from vcassure.checklists.models import ChecklistStep, RunStep, StepResult
    from vcassure.core.subjects import subject_ref
    from vcassure.faults.selectors import fault_list_for_subject

    template = inspection.plan.checklist_template
    steps: list = (
        list(RunStep.objects.filter(run=inspection.run).order_by("number"))
        if inspection.run_id
        else list(ChecklistStep.objects.filter(template=template).order_by("number"))
    )
    latest: dict[int, StepResult] = {}
    if inspection.run_id:
        for result in (
            StepResult.objects.filter(run_id=inspection.run_id)
            .select_related("step", "recorded_by")
            .prefetch_related("photos")
            .order_by("recorded_at", "id")
        ):
            latest[result.step.number] = result
    faults = list(fault_list_for_subject(subject_ref("inspection", inspection.pk)))
    fault_of_result = {f.step_result_id: f for f in reversed(faults) if f.step_result_id}
    rows = []
    for step in steps:
        last = latest.get(step.number)
        rows.append(
            {"step": step, "latest": last, "fault": fault_of_result.get(last.pk) if last else None}
        )
    passed = sum(1 for r in rows if r["latest"] is not None and r["latest"].result == "pass")
    return {
        "checklists": [
            {"template": template, "run": inspection.run, "steps": rows, "passed": passed}
        ],
        "faults": faults,
    }


# How long an inspection is taken to occupy its person: the hour before its due time.
INSPECTION_SPAN = timedelta(hours=1)


def inspection_agenda(staff_ids, start: datetime, end: datetime) -> list:
    """The core.agenda source of routine work: each assigned, not cancelled inspection as the
    hour before its due time, with the venue's address and the due time. Duty rosters count
    these against the person (when the DutyRule says so); the calendar feed lists them."""
    from django.utils.translation import gettext as _

    from vcassure.core.agenda import AgendaItem

    qs = Inspection.objects.filter(
        assignee__isnull=False, due_at__gt=start, due_at__lt=end + INSPECTION_SPAN
    ).exclude(state=Inspection.State.CANCELLED)
    if staff_ids is not None:
        qs = qs.filter(assignee_id__in=list(staff_ids))
    items = []
    for inspection in qs.select_related("plan", "venue").only(
        "id",
        "assignee_id",
        "due_at",
        "state",
        "plan__name",
        "venue__name",
        "venue__address",
        "venue__room",
    ):
        if inspection.assignee_id is None:
            continue  # excluded by the query; for the type checker
        venue = inspection.venue
        address = " ".join(x for x in (venue.address, venue.room) if x)
        items.append(
            AgendaItem(
                staff_id=inspection.assignee_id,
                kind="inspection",
                uid=f"inspection-{inspection.pk}",
                starts_at=inspection.due_at - INSPECTION_SPAN,
                ends_at=inspection.due_at,
                title=f"{_('巡检')} · {venue.name} · {inspection.plan.name}",
                location=address or venue.name,
                description=inspection.get_state_display(),
                deadlines=((_("巡检完成时限"), inspection.due_at),),
            )
        )
    return items

"""Reads of faults, from `Fault.objects.visible_to(user)`: the list and the network operations
queue, one fault, the labels notification pages show, and MTTA / MTTR.

MTTA / MTTR (stable names, called by the reports; minutes as floats rounded to 0.1):
- `fault_times(qs)` → one `FaultTimes(fault_id, mtta_minutes, mttr_minutes)` per fault, where
  MTTA = acknowledged_at − opened_at and MTTR = restored_at − opened_at (None while not yet).
- `fault_kpis(user, unit_ids=None, start=None, end=None)` → one dict per unit
  `{"org_unit", "faults", "acknowledged", "restored", "mtta_minutes", "mttr_minutes"}` over the
  faults opened in [start, end) at that unit or below it, in the user's scope (averages over the
  faults that have the time; None when none has). unit_ids=None: one row for the whole scope,
  `org_unit` None."""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Case, Count, DateTimeField, F, Q, QuerySet, Value, When
from django.urls import reverse

from vcassure.accounts.types import UserLike
from vcassure.core.subjects import SubjectLabel
from vcassure.faults.models import Fault, FaultEvent
from vcassure.orgs.scoping import visible_unit


def next_due_expression() -> Case:
    """The deadline the fault is racing now: acknowledge while open, be on site while acknowledged
    or assigned, restore while on site; none once restored."""
    return Case(
        When(state=Fault.State.OPEN, then=F("ack_due_at")),
        When(state__in=[Fault.State.ACKNOWLEDGED, Fault.State.ASSIGNED], then=F("on_site_due_at")),
        When(state=Fault.State.ON_SITE, then=F("restore_due_at")),
        default=Value(None),
        output_field=DateTimeField(),
    )


def fault_list(
    *,
    user: UserLike,
    state: str = "",
    org_unit: int | None = None,
    subject: str = "",
    severity: str = "",
) -> QuerySet[Fault]:
    qs = Fault.objects.visible_to(user).select_related(
        "venue", "org_unit", "assigned_department", "assignee"
    )
    if state == "active":
        qs = qs.filter(state__in=Fault.ACTIVE_STATES)
    elif state:
        qs = qs.filter(state=state)
    if severity:
        qs = qs.filter(severity=severity)
    if org_unit is not None:
        qs = qs.in_visible_unit(user, org_unit)
    if subject:
        qs = qs.filter(subject=subject)
    return qs


def fault_queue(**filters) -> QuerySet[Fault]:
    """The network operations queue: active faults first, each by the deadline it races (the
    nearest first), then the rest newest first."""
    return (
        fault_list(**filters)
        .annotate(
            next_due_at=next_due_expression(),
            is_done=Case(
                When(state__in=Fault.ACTIVE_STATES, then=Value(0)),
                default=Value(1),
            ),
        )
        .order_by("is_done", F("next_due_at").asc(nulls_last=True), "-opened_at", "-id")
    )


def fault_counts(*, user: UserLike, org_unit: int | None = None) -> dict[str, int]:
    """How many faults of the scope are in each state, plus `active` and `overdue` (an active
    fault past the deadline it races)."""
    from vcassure.core import clock

    qs = fault_list(user=user, org_unit=org_unit)
    row = qs.annotate(next_due_at=next_due_expression()).aggregate(
        **{s: Count("id", filter=Q(state=s)) for s in Fault.State.values},
        active=Count("id", filter=Q(state__in=Fault.ACTIVE_STATES)),
        overdue=Count("id", filter=Q(state__in=Fault.ACTIVE_STATES, next_due_at__lt=clock.now())),
    )
    return {k: v or 0 for k, v in row.items()}


def queue_units(*, user: UserLike) -> list:
    """The cities and counties of the user's scope, in tree order (the queue's unit filter)."""
    from vcassure.orgs.models import OrgUnit

    return list(
        OrgUnit.objects.visible_to(user)
        .filter(level__in=[OrgUnit.Level.CITY, OrgUnit.Level.COUNTY])
        .only("id", "name", "level", "path")
        .order_by("path")
    )


def fault_get(*, user: UserLike, pk: int) -> Fault:
    return (
        Fault.objects.visible_to(user)
        .select_related(
            "venue",
            "org_unit",
            "assigned_department",
            "assignee",
            "assignee__department",
            "step_result__step",
        )
        .get(pk=pk)
    )


def fault_list_for_subject(subject: str) -> QuerySet[Fault]:
    """The faults opened about one subject ("task:123"), newest first, for a page whose caller has
    already checked access to that subject (the assignee of a task sees its faults)."""
    return (
        Fault.objects.filter(subject=subject)
        .select_related("assigned_department")
        .order_by("-opened_at", "-id")
    )


def fault_is_open_about(subject: str) -> bool:
    """Whether a fault opened about the subject still waits for its restore (a venue-access report
    does not hold a task in faulty: it never put it there)."""
    return (
        Fault.objects.filter(subject=subject, state__in=Fault.ACTIVE_STATES)
        .exclude(source=Fault.Source.ACCESS)
        .exists()
    )


def fault_event_list(fault: Fault) -> QuerySet[FaultEvent]:
    return fault.events.select_related("actor").order_by("at", "id")


def open_faults_by_venue(venue_ids) -> dict[int, Fault]:
    """The most urgent active fault of each venue (the dashboard's attention list: its state and
    restore deadline); the caller has checked access to the venues."""
    found: dict[int, Fault] = {}
    for fault in (
        Fault.objects.filter(venue_id__in=list(venue_ids), state__in=Fault.ACTIVE_STATES)
        .only("id", "venue_id", "state", "restore_due_at")
        .order_by(F("restore_due_at").asc(nulls_last=True), "id")
    ):
        if fault.venue_id is not None:
            found.setdefault(fault.venue_id, fault)
    return found


def fault_labels(ids: set[int]) -> dict[int, SubjectLabel]:
    """What notification pages call "fault:7": its title, linking to its page."""
    return {
        pk: SubjectLabel(title, reverse("faults:fault_detail", args=[pk]))
        for pk, title in Fault.objects.filter(pk__in=ids).values_list("pk", "title")
    }


# --- MTTA / MTTR -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class FaultTimes:
    fault_id: int
    mtta_minutes: float | None
    mttr_minutes: float | None


def _minutes(start: datetime | None, end: datetime | None) -> float | None:
    if start is None or end is None:
        return None
    return round((end - start).total_seconds() / 60, 1)


def fault_times(qs: QuerySet[Fault]) -> list[FaultTimes]:
    """MTTA and MTTR of each fault of qs, in minutes (None while not acknowledged / restored)."""
    return [
        FaultTimes(pk, _minutes(opened, acked), _minutes(opened, restored))
        for pk, opened, acked, restored in qs.order_by("opened_at", "id").values_list(
            "pk", "opened_at", "acknowledged_at", "restored_at"
        )
    ]


def _average(values: list[float]) -> float | None:
    return round(sum(values) / len(values), 1) if values else None


def _summary(times: list[FaultTimes]) -> dict:
    mtta = [t.mtta_minutes for t in times if t.mtta_minutes is not None]
    mttr = [t.mttr_minutes for t in times if t.mttr_minutes is not None]
    return {
        "faults": len(times),
        "acknowledged": len(mtta),
        "restored": len(mttr),
        "mtta_minutes": _average(mtta),
        "mttr_minutes": _average(mttr),
    }


def fault_kpis(
    user: UserLike,
    unit_ids: list[int] | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
) -> list[dict]:
    """MTTA / MTTR per unit (its subtree) over the faults opened in [start, end), in the user's
    scope; a unit outside the scope is left out. See the module docstring."""
    qs = Fault.objects.visible_to(user)
    if start is not None:
        qs = qs.filter(opened_at__gte=start)
    if end is not None:
        qs = qs.filter(opened_at__lt=end)
    if unit_ids is None:
        return [{"org_unit": None, **_summary(fault_times(qs))}]
    rows = []
    for pk in unit_ids:
        unit = visible_unit(user, pk)
        if unit is None:
            continue
        rows.append({"org_unit": unit.pk, **_summary(fault_times(qs.in_subtree(unit)))})
    return rows

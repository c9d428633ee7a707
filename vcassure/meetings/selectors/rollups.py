"""The roll-up of the live dashboard and the status API: venue-task counts by state of a unit and
of each child of it, grouped in the database (one row per child and state)."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db.models import BooleanField, Case, CharField, Count, Q, QuerySet, Value, When
from django.db.models.functions import Length, StrIndex, Substr
from django.db.models.lookups import GreaterThan

from vcassure.meetings.models import SupportTask, overdue_q
from vcassure.meetings.selectors.probes import venue_machine_down
from vcassure.orgs.models import OrgUnit

READY_STATES = ("ready", "in_meeting", "done")
UNANSWERED_STATES = ("pending", "notified")


@dataclass
class Rollup:
    """Venue-task counts of one node by state, how many are overdue, how many venues have a
    device failing its readiness probe (`machine_down`), and how many need attention (overdue,
    faulty, unanswered or a device down, each task once)."""

    counts: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    overdue: int = 0
    attention: int = 0
    machine_down: int = 0
    far_check_ins: int = 0  # checked in more than CHECK_IN_FAR_METRES from the venue

    def add(self, state: str, n: int, late: int, machine: int = 0, machine_only: int = 0) -> None:
        """`machine`: tasks of those whose venue has a device down; `machine_only`: of those, the
        ones not overdue (so that a task is counted once in `attention`)."""
        self.counts[state] += n
        self.overdue += late
        self.machine_down += machine
        if state == "faulty" or state in UNANSWERED_STATES:
            self.attention += n
        else:
            self.attention += late + machine_only

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def active(self) -> int:
        return self.total - self.counts.get("cancelled", 0)

    @property
    def ready(self) -> int:
        return sum(self.counts.get(s, 0) for s in READY_STATES)

    @property
    def ready_percent(self) -> int:
        return int(100 * self.ready / self.active) if self.active else 0

    @property
    def unanswered(self) -> int:
        return sum(self.counts.get(s, 0) for s in UNANSWERED_STATES)

    @property
    def faulty(self) -> int:
        return self.counts.get("faulty", 0)

    @property
    def states(self) -> list[tuple[str, Any, int]]:
        return [
            (value, label, self.counts[value])
            for value, label in SupportTask.State.choices
            if self.counts.get(value)
        ]


@dataclass
class UnitRollups:
    """The roll-up of a node (`total`: every task given, including any outside the node) and of
    each child of it: the units just below, and the node itself for venues attached to it."""

    total: Rollup
    per_child: dict[int, Rollup]
    deeper: set[int]  # children with units below them


def _place_under(unit: OrgUnit) -> tuple[Case, Case]:
    """SQL for where a task's unit lies under `unit` (paths like "/1/7/23/"): the id, as text, of
    the child of `unit` it lies under ("" for `unit` itself, NULL outside `unit`), and whether it
    lies below that child. Grouping by these in the database returns a row per child and state
    instead of one per unit and state (about 1,900 for a province-wide meeting)."""
    path = "org_unit__path"
    rest = Substr(path, len(unit.path) + 1)  # "23/45/" for "/1/7/23/45/" under "/1/7/"
    slash = StrIndex(rest, Value("/"))
    child = Case(
        When(**{path: unit.path}, then=Value("")),
        When(**{f"{path}__startswith": unit.path}, then=Substr(rest, 1, slash - 1)),
        default=Value(None),
        output_field=CharField(),
    )
    below = Case(
        When(GreaterThan(Length(rest), slash), then=Value(True)),
        default=Value(False),
        output_field=BooleanField(),
    )
    return child, below


def unit_rollups(tasks: QuerySet[SupportTask], *, unit: OrgUnit, now: datetime) -> UnitRollups:
    """The one roll-up of the dashboard and the status API: one query whatever the number of
    tasks, grouped in the database by the child of `unit` each task lies under, by state and by
    whether its venue has a device down."""
    child, below = _place_under(unit)
    far = Q(check_in_distance_m__gt=settings.CHECK_IN_FAR_METRES)
    rows = (
        tasks.order_by()
        .annotate(child=child, below=below, down=venue_machine_down(now))
        .values_list("child", "below", "down", "state")
        .annotate(
            n=Count("id"), late=Count("id", filter=overdue_q(now)), far=Count("id", filter=far)
        )
    )
    total = Rollup()
    per_child: dict[int, Rollup] = defaultdict(Rollup)
    deeper: set[int] = set()
    for key, is_below, down, state, n, n_late, n_far in rows:
        n_machine, n_machine_only = (n, n - n_late) if down else (0, 0)
        total.add(state, n, n_late, n_machine, n_machine_only)
        total.far_check_ins += n_far
        # Only at the root can a task lie outside the node: it counts but sits on no child.
        if key is None:
            continue
        child_pk = int(key) if key else unit.pk
        if is_below:
            deeper.add(child_pk)
        per_child[child_pk].add(state, n, n_late, n_machine, n_machine_only)
    return UnitRollups(total=total, per_child=dict(per_child), deeper=deeper)

"""What a dispatch plan is made of: the planned tasks (coordination, venue and patrol tasks with
their assignee and deadlines) and the plan with its shortfalls. Built by meetings.dispatch and
meetings.patrols, written by meeting_publish."""

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

READY_LEAD = timedelta(minutes=30)
SHUTDOWN_GRACE = timedelta(minutes=30)


@dataclass
class PlannedTask:
    key: str
    kind: str
    role: str
    org_unit_id: int
    parent_key: str | None = None
    department_id: int | None = None
    venue_id: int | None = None
    fibre_route_id: int | None = None
    assignee_id: int | None = None
    assignment: str = "none"
    on_site_due_at: datetime | None = None
    ready_due_at: datetime | None = None
    shutdown_due_at: datetime | None = None
    busy_from: datetime | None = None
    busy_until: datetime | None = None


@dataclass
class DispatchPlan:
    tasks: list[PlannedTask] = field(default_factory=list)
    shortfalls: list[dict] = field(default_factory=list)
    # What the plan read, by id (venues with their unit and staff, units, departments, staff), so
    # that publishing can tell people about their tasks without reading it all again.
    loaded: dict[str, dict[int, Any]] = field(default_factory=dict, repr=False, compare=False)

    @property
    def venue_task_count(self) -> int:
        return sum(1 for t in self.tasks if t.kind == "venue")

"""Reads for meetings and tasks, each starting from visible_to(user), in a fixed number of queries."""

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Case, Count, Q, QuerySet, Value, When
from django.utils.translation import gettext as _

from vcassure.core import clock
from vcassure.core.subjects import task_id_of, task_ref
from vcassure.meetings.dispatch import SHUTDOWN_GRACE, busy_window
from vcassure.meetings.models import (
    Meeting,
    MeetingEvent,
    MeetingVenue,
    ShareLink,
    SupportTask,
    SupportTaskQuerySet,
    TaskTransition,
    overdue_q,
)
from vcassure.meetings.validation import venues_matching_filter
from vcassure.orgs.models import OrgUnit
from vcassure.orgs.scoping import in_scope, scope_unit
from vcassure.venues.models import CustomerSystem, Venue

BEFORE_SITE = SupportTask.BEFORE_SITE_STATES
BEFORE_READY = SupportTask.BEFORE_READY_STATES
LIVE_STATES = [Meeting.State.PUBLISHED, Meeting.State.IN_PROGRESS]
MAX_ON_SITE_LEAD = timedelta(minutes=120)


def meeting_list(
    *,
    user,
    state: str = "",
    system: str = "",
    starts_from: datetime | None = None,
    starts_to: datetime | None = None,
    org_unit: int | None = None,
    q: str = "",
) -> QuerySet[Meeting]:
    qs = Meeting.objects.visible_to(user).select_related("system", "org_unit", "main_venue")
    if state:
        qs = qs.filter(state=state)
    if system:
        qs = qs.filter(system__code=system)
    if starts_from:
        qs = qs.filter(starts_at__gte=starts_from)
    if starts_to:
        qs = qs.filter(starts_at__lt=starts_to)
    if org_unit:
        qs = qs.in_visible_unit(user, org_unit)
    if q:
        qs = qs.filter(title__icontains=q)
    # The annotation drops Meta.ordering, so order explicitly.
    return qs.annotate(venue_count=Count("meeting_venues", distinct=True)).order_by(
        "-starts_at", "-id"
    )


def meeting_get(*, user, pk: int) -> Meeting:
    return (
        Meeting.objects.visible_to(user)
        .select_related("system", "org_unit", "main_venue", "entered_by")
        .get(pk=pk)
    )


def meeting_venue_list(meeting: Meeting) -> QuerySet:
    return meeting.venues.select_related("org_unit", "primary_staff", "backup_staff").order_by(
        "org_unit__path", "code"
    )


def task_list(
    *,
    user,
    meeting: Meeting | None = None,
    state: str = "",
    org_unit: int | None = None,
    kind: str = "",
    mine: bool = False,
) -> QuerySet[SupportTask]:
    qs = SupportTask.objects.select_related(
        "venue", "department", "assignee", "org_unit", "meeting"
    )
    if mine:
        staff = getattr(user, "staff_profile", None)
        qs = qs.filter(assignee=staff) if staff is not None else qs.none()
    else:
        qs = qs.visible_to(user)
    if meeting is not None:
        qs = qs.filter(meeting=meeting)
    if state:
        qs = qs.filter(state=state)
    if kind:
        qs = qs.filter(kind=kind)
    if org_unit:
        qs = qs.in_visible_unit(user, org_unit)
    return qs.order_by("meeting__starts_at", "org_unit__path", "id")


def task_get(*, user, pk: int) -> SupportTask:
    staff = getattr(user, "staff_profile", None)
    qs = SupportTask.objects.select_related(
        "venue", "department", "assignee", "org_unit", "meeting"
    )
    task = qs.filter(pk=pk).first()
    if task is None:
        raise SupportTask.DoesNotExist
    if staff is not None and task.assignee_id == staff.pk:
        return task
    return qs.visible_to(user).get(pk=pk)


def overdue_tasks(meeting: Meeting, *, user, now: datetime | None = None) -> QuerySet[SupportTask]:
    """Venue tasks past a deadline they have not met: on site, or ready."""
    now = now or clock.now()
    before_site = ["pending", "notified", "acknowledged"]
    from django.db.models import Q

    return (
        SupportTask.objects.visible_to(user)
        .filter(meeting=meeting, kind=SupportTask.Kind.VENUE)
        .filter(
            Q(on_site_due_at__lt=now, state__in=before_site)
            | Q(ready_due_at__lt=now, state__in=[*before_site, "on_site", "faulty"])
        )
        .select_related("venue", "assignee", "org_unit")
        .order_by("on_site_due_at", "id")
    )


def meeting_status(meeting: Meeting, *, user, parent: OrgUnit | None = None) -> dict:
    """Counts by state, roll-ups per child unit of `parent` (default: the top of the user's view),
    and the overdue tasks; three queries whatever the meeting's size."""
    tasks = SupportTask.objects.visible_to(user).filter(
        meeting=meeting, kind=SupportTask.Kind.VENUE
    )
    counts = dict(tasks.values_list("state").annotate(n=Count("id")).values_list("state", "n"))
    rows = tasks.values_list("org_unit__path", "state").annotate(n=Count("id"))
    if parent is None:
        parent = meeting.org_unit
    depth = len(OrgUnit.path_ids(parent.path))
    per_unit: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for path, state, n in rows:
        if not path.startswith(parent.path):
            continue
        chain = OrgUnit.path_ids(path)
        key = chain[depth] if len(chain) > depth else chain[-1]
        per_unit[key][state] += n
    names = OrgUnit.objects.in_bulk(per_unit.keys())
    units = [
        {"org_unit": uid, "name": names[uid].name, "level": names[uid].level, "counts": dict(c)}
        for uid, c in sorted(per_unit.items(), key=lambda kv: names[kv[0]].code)
    ]
    overdue = [
        {
            "task": t.pk,
            "venue": t.venue_id,
            "venue_name": t.venue.name if t.venue else "",
            "state": t.state,
            "assignee": t.assignee_id,
            "on_site_due_at": t.on_site_due_at,
            "ready_due_at": t.ready_due_at,
        }
        for t in overdue_tasks(meeting, user=user)[:200]
    ]
    return {"counts": counts, "units": units, "overdue": overdue}


def meeting_conflicts(meeting: Meeting, *, user=None) -> dict[str, list[dict]]:
    """Venues and people this meeting needs that another live meeting overlapping in time needs too.
    The clash is the caller's business (their venue, their person); the other meeting may not be:
    with `user`, its id and title are hidden unless the user may see it."""
    conflicts = _meeting_conflicts(meeting)
    if user is not None:
        other_ids = {row["meeting"] for rows in conflicts.values() for row in rows}
        visible = set(
            Meeting.objects.visible_to(user).filter(pk__in=other_ids).values_list("pk", flat=True)
        )
        for rows in conflicts.values():
            for row in rows:
                if row["meeting"] not in visible:
                    row["meeting"], row["meeting_title"] = None, _("其他单位的会议")
    return conflicts


def _meeting_conflicts(meeting: Meeting) -> dict[str, list[dict]]:
    busy_from, busy_until = busy_window(meeting)
    # Pre-filter with the widest possible windows, then compare exact windows.
    overlapping = Meeting.objects.filter(
        state__in=[Meeting.State.DRAFT, *LIVE_STATES],
        starts_at__lt=busy_until + MAX_ON_SITE_LEAD,
        ends_at__gt=busy_from - SHUTDOWN_GRACE,
    ).exclude(pk=meeting.pk)
    others = [m for m in overlapping.select_related("system") if _overlaps(meeting, m)]
    if not others:
        return {"venues": [], "people": []}
    other_ids = {m.pk: m for m in others}
    my_venues = set(meeting.meeting_venues.values_list("venue_id", flat=True))
    if meeting.main_venue_id:
        my_venues.add(meeting.main_venue_id)
    venue_clash = (
        MeetingVenue.objects.filter(meeting_id__in=other_ids, venue_id__in=my_venues)
        .select_related("venue")
        .order_by("venue__code")
    )
    venues = [
        {
            "venue": mv.venue_id,
            "venue_name": mv.venue.name,
            "meeting": mv.meeting_id,
            "meeting_title": other_ids[mv.meeting_id].title,
        }
        for mv in venue_clash
    ]
    # People: the planned primary staff of my venues against people assigned (or planned) elsewhere.
    from vcassure.venues.models import Venue

    my_people = dict(
        Venue.objects.filter(pk__in=my_venues, primary_staff__isnull=False).values_list(
            "primary_staff_id", "primary_staff__name"
        )
    )
    assigned = SupportTask.objects.filter(
        meeting_id__in=other_ids, assignee_id__in=my_people
    ).exclude(state="cancelled")
    people_rows: set[tuple[int, int]] = {
        (t.assignee_id, t.meeting_id)
        for t in assigned.only("assignee_id", "meeting_id")
        if t.assignee_id is not None
    }
    drafts_people = Venue.objects.filter(
        pk__in=MeetingVenue.objects.filter(
            meeting_id__in=[m.pk for m in others if m.state == Meeting.State.DRAFT]
        ).values("venue_id"),
        primary_staff_id__in=my_people,
    ).values_list("primary_staff_id", "meetings")
    for staff_id, other_meeting in drafts_people:
        if staff_id is not None and other_meeting in other_ids:
            people_rows.add((staff_id, other_meeting))
    people = [
        {
            "staff": sid,
            "staff_name": my_people[sid],
            "meeting": mid,
            "meeting_title": other_ids[mid].title,
        }
        for sid, mid in sorted(people_rows)
    ]
    return {"venues": venues, "people": people}


def _overlaps(a: Meeting, b: Meeting) -> bool:
    a_from, a_until = busy_window(a)
    b_from, b_until = busy_window(b)
    return a_from < b_until and b_from < a_until


def task_tree(meeting: Meeting, *, user) -> list[dict]:
    """The coordination chain with venue-task counts rolled up to every node (for the detail and
    tracking pages): one query for the coordination tasks, one for the venue counts."""
    visible = SupportTask.objects.visible_to(user).filter(meeting=meeting)
    coordination = list(
        visible.filter(kind=SupportTask.Kind.COORDINATION)
        .select_related("department", "org_unit", "assignee")
        .order_by("id")
    )
    venue_counts = (
        visible.filter(kind=SupportTask.Kind.VENUE)
        .values_list("parent_id", "state")
        .annotate(n=Count("id"))
    )
    direct: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for parent_id, state, n in venue_counts:
        direct[parent_id][state] += n
    children: dict[int | None, list[SupportTask]] = defaultdict(list)
    ids = {t.pk for t in coordination}
    for t in coordination:
        children[t.parent_id if t.parent_id in ids else None].append(t)

    def build(task: SupportTask, depth: int) -> dict:
        kids = [build(k, depth + 1) for k in children.get(task.pk, [])]
        totals: dict[str, int] = defaultdict(int)
        for state, n in direct.get(task.pk, {}).items():
            totals[state] += n
        for kid in kids:
            for state, n in kid["counts"].items():
                totals[state] += n
        return {
            "task": task,
            "depth": depth,
            "children": kids,
            "counts": dict(totals),
            "total": sum(totals.values()),
            "direct_venues": sum(direct.get(task.pk, {}).values()),
        }

    return [build(root, 0) for root in children.get(None, [])]


# --- Pages: the branch-venue picker, the timeline, who may change a meeting, a tracking subtree ---

PREVIEW_LIMIT = 200


@dataclass
class VenueSelection:
    """The branch venues a picker resolves to: a filter (or the current venues), then codes added
    and removed one by one. Codes that are unknown or of another system are reported, not dropped."""

    ids: list[int] = field(default_factory=list)
    unknown_codes: list[str] = field(default_factory=list)
    wrong_system_codes: list[str] = field(default_factory=list)
    filtered: bool = False


def venue_selection(
    *,
    user,
    system: CustomerSystem | None,
    levels: Sequence[str],
    org_units: Sequence[int],
    add_codes: Sequence[str] = (),
    remove_codes: Sequence[str] = (),
    base_ids: Sequence[int] | None = None,
) -> VenueSelection:
    """Three queries at most whatever the number of venues: the filter, the codes."""
    selection = VenueSelection(filtered=bool(levels or org_units))
    if system is not None and selection.filtered:
        ids = venues_matching_filter(
            user=user, system=system, levels=list(levels), org_units=list(org_units)
        )
    else:
        ids = list(base_ids or [])
    codes = list(dict.fromkeys([*add_codes, *remove_codes]))
    found: dict[str, tuple[int, int]] = {}
    if codes:
        found = {
            code: (pk, system_id)
            for code, pk, system_id in Venue.objects.visible_to(user)
            .filter(code__in=codes, is_active=True)
            .values_list("code", "id", "system_id")
        }
    selection.unknown_codes = [c for c in codes if c not in found]
    selection.wrong_system_codes = [
        c for c in add_codes if c in found and system is not None and found[c][1] != system.pk
    ]
    present = set(ids)
    for code in add_codes:
        if (
            code in found
            and code not in selection.wrong_system_codes
            and found[code][0] not in present
        ):
            ids.append(found[code][0])
            present.add(found[code][0])
    removed = {found[c][0] for c in remove_codes if c in found}
    selection.ids = [pk for pk in ids if pk not in removed]
    return selection


def venue_preview(ids: list[int], *, limit: int = PREVIEW_LIMIT) -> list[Venue]:
    """The first `limit` venues of a selection, for showing before saving: one query."""
    return list(
        Venue.objects.filter(pk__in=ids[:limit])
        .select_related("org_unit", "primary_staff")
        .order_by("org_unit__path", "code")
    )


def meeting_event_list(meeting: Meeting) -> QuerySet[MeetingEvent]:
    return meeting.events.select_related("actor").order_by("at", "id")


def meeting_can_change(*, user, meeting: Meeting) -> bool:
    """Whether the user's subtree owns the meeting (services refuse the others with 403)."""
    return Meeting.objects.owned_by(user).filter(pk=meeting.pk).exists()


def meeting_venue_ids(meeting: Meeting) -> list[int]:
    return list(meeting.meeting_venues.order_by("id").values_list("venue_id", flat=True))


def task_tree_below(meeting: Meeting, *, user, unit: OrgUnit) -> list[dict]:
    """The part of task_tree that lies in `unit`'s subtree: the topmost nodes whose unit is in it."""

    def collect(nodes: list[dict]) -> list[dict]:
        found: list[dict] = []
        for node in nodes:
            if node["task"].org_unit.path.startswith(unit.path):
                found.append(node)
            else:
                found += collect(node["children"])
        return found

    return collect(task_tree(meeting, user=user))


ACK_TASK_FIELDS = (
    "id",
    "meeting_id",
    "meeting__title",
    "kind",
    "role",
    "venue_id",
    "venue__name",
    "department_id",
    "assignee_id",
    "assignee__name",
    "assignment",
    "state",
    "on_site_due_at",
    "ready_due_at",
    "shutdown_due_at",
    "acknowledged_at",
    "parent_id",
    "org_unit_id",
)


def ack_task(notification) -> SupportTask | None:
    """The task a personal notice is about, with what the API shows of it (TaskOut), in one query.
    The meeting's staffing shortfalls (a large JSON list for a big meeting) are not read."""
    task_id = task_id_of(notification.subject)
    if task_id is None:
        return None
    return (
        SupportTask.objects.select_related("meeting", "venue", "assignee")
        .only(*ACK_TASK_FIELDS)
        .filter(pk=task_id)
        .order_by()
        .first()
    )


def ack_context(notification) -> dict:
    """What the acknowledgement page shows: the task, its meeting and who to call."""
    from vcassure.orgs.models import Department

    task = None
    task_id = task_id_of(notification.subject)
    if task_id is not None:
        task = (
            SupportTask.objects.select_related("meeting__system", "venue", "org_unit", "department")
            .defer("meeting__shortfalls")
            .filter(pk=task_id)
            .first()
        )
    contacts = []
    if task is not None:
        chain = task.org_unit.chain_ids
        city_id = chain[1] if len(chain) > 1 else None
        departments = Department.objects.filter(
            org_unit_id__in=[c for c in (city_id, chain[0]) if c],
            kind__in=[Department.Kind.NETWORK_OPS, Department.Kind.OPS],
        ).select_related("org_unit")
        contacts = [d for d in departments if d.phone]
    return {"task": task, "contacts": contacts}


def task_field_card(task: SupportTask) -> dict:
    """The task card of a field page (the caller has checked access: check_field_access or
    task_get): each checklist with every step's latest result and photos, the faults opened for
    the task (a failed step points to its own), and the city network operations department to
    call. Six queries whatever the number of steps and photos."""
    from vcassure.checklists.models import ChecklistRun, ChecklistStep, StepResult
    from vcassure.faults.selectors import fault_list_for_subject
    from vcassure.faults.services import responsible_department
    from vcassure.meetings.services.field_work import templates_for

    subject = task_ref(task.pk)
    templates = templates_for(task) if task.kind == SupportTask.Kind.VENUE else []
    steps_by_template: dict[int, list] = defaultdict(list)
    for step in ChecklistStep.objects.filter(template__in=templates).order_by(
        "template_id", "number"
    ):
        steps_by_template[step.template_id].append(step)
    runs = {
        run.template_id: run
        for run in ChecklistRun.objects.filter(subject=subject, template__in=templates)
    }
    template_of_run = {run.pk: template_id for template_id, run in runs.items()}
    latest: dict[tuple[int, int], StepResult] = {}
    results = (
        StepResult.objects.filter(run__in=list(runs.values()))
        .select_related("step", "recorded_by")
        .prefetch_related("photos")
        .order_by("recorded_at", "id")
    )
    for result in results:
        latest[(template_of_run[result.run_id], result.step.number)] = result
    faults = list(fault_list_for_subject(subject))
    fault_of_result = {f.step_result_id: f for f in reversed(faults) if f.step_result_id}
    checklists = []
    for template in templates:
        rows = []
        for step in steps_by_template[template.pk]:
            last = latest.get((template.pk, step.number))
            rows.append(
                {
                    "step": step,
                    "latest": last,
                    "fault": fault_of_result.get(last.pk) if last else None,
                }
            )
        checklists.append(
            {
                "template": template,
                "run": runs.get(template.pk),
                "steps": rows,
                "passed": sum(
                    1
                    for r in rows
                    if r["latest"] is not None and r["latest"].result == StepResult.Result.PASS
                ),
            }
        )
    return {
        "checklists": checklists,
        "faults": faults,
        "network_ops": responsible_department(task.org_unit),
    }


# --- The live command dashboard and the customer's share link (C7) ---
# Counts per unit and state come from one GROUP BY on the org-unit path and are rolled up here;
# only the children of the current node, the capped rows that need attention and the latest moves
# are fetched, so a render costs the same few queries for 5 venues or 2,000.

READY_STATES = ("ready", "in_meeting", "done")
UNANSWERED_STATES = ("pending", "notified")
ATTENTION_LIMIT = 50
TIMELINE_LIMIT = 30
VENUE_ROWS_LIMIT = 100
# The badge colour of a state, as meetings/_task_state.html has it (rows are coloured here, not
# through an include per row).
STATE_BADGE = {
    "faulty": "bad",
    "ready": "ok",
    "done": "ok",
    "restored": "ok",
    "in_meeting": "ok",
    "pending": "warn",
    "notified": "warn",
}


@dataclass
class Rollup:
    """Venue-task counts of one node by state, how many are overdue, and how many need attention
    (overdue, faulty or unanswered, each task once)."""

    counts: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    overdue: int = 0
    attention: int = 0

    def add(self, state: str, n: int, late: int) -> None:
        self.counts[state] += n
        self.overdue += late
        self.attention += n if state == "faulty" or state in UNANSWERED_STATES else late

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
class DashboardNode:
    """A child of the current node: a unit below it, or the venues attached to the node itself."""

    unit: OrgUnit
    rollup: Rollup
    is_direct: bool = False
    has_units_below: bool = False


@dataclass
class Dashboard:
    root: OrgUnit
    unit: OrgUnit
    breadcrumbs: list[OrgUnit]
    rollup: Rollup
    children: list[DashboardNode]
    attention: list[dict]
    attention_more: int


def dashboard_tasks(meeting: Meeting, *, user) -> SupportTaskQuerySet:
    """The venue tasks of a meeting that the user may see."""
    return SupportTask.objects.visible_to(user).filter(meeting=meeting, kind=SupportTask.Kind.VENUE)


def share_tasks(link) -> SupportTaskQuerySet:
    """The venue tasks a share link shows: those in the subtree of whoever made it."""
    return SupportTask.objects.in_subtree(link.org_unit).filter(
        meeting_id=link.meeting_id,
        kind=SupportTask.Kind.VENUE,
    )


def dashboard_root(meeting: Meeting, *, user) -> OrgUnit:
    """The top of the user's view of a meeting: the meeting's unit, or the user's own unit when the
    user sits below it (a county following a province meeting)."""
    if in_scope(user, meeting.org_unit.path):
        return meeting.org_unit
    return scope_unit(user) or meeting.org_unit


def dashboard_unit(root: OrgUnit, pk: int | None) -> OrgUnit:
    """The node to show: `root` or a unit below it (OrgUnit.DoesNotExist otherwise)."""
    if pk is None or pk == root.pk:
        return root
    return OrgUnit.objects.in_subtree(root).get(pk=pk)


def tasks_under(tasks: SupportTaskQuerySet, root: OrgUnit, unit: OrgUnit) -> SupportTaskQuerySet:
    """The tasks under `unit`, a node at or below the view's `root`."""
    return tasks if unit.pk == root.pk else tasks.in_subtree(unit)


def meeting_dashboard(
    tasks: SupportTaskQuerySet,
    *,
    root: OrgUnit,
    unit: OrgUnit,
    now: datetime,
    attention_limit: int = ATTENTION_LIMIT,
) -> Dashboard:
    """Counts of `unit`, a roll-up per child of it, and the tasks that need attention first:
    overdue (a missed on-site or ready deadline), faulty, then unanswered. Three queries."""
    scoped = tasks_under(tasks, root, unit)
    late = overdue_q(now)
    rows = (
        scoped.order_by()
        .values_list("org_unit__path", "state")
        .annotate(n=Count("id"), late=Count("id", filter=late))
    )
    depth = len(OrgUnit.path_ids(unit.path))
    total = Rollup()
    per_child: dict[int, Rollup] = defaultdict(Rollup)
    deeper: set[int] = set()
    keys: dict[str, int | None] = {}  # a path comes once per state: parse it once
    for path, state, n, n_late in rows:
        total.add(state, n, n_late)
        if path not in keys:
            keys[path] = None
            # Only at the root can a task lie outside the node: it counts but sits on no child.
            if path.startswith(unit.path):
                parts = path.split("/")  # "/1/7/23/" → ["", "1", "7", "23", ""]
                child = int(parts[depth + 1]) if len(parts) - 2 > depth else unit.pk
                if len(parts) - 2 > depth + 1:
                    deeper.add(child)
                keys[path] = child
        key = keys[path]
        if key is not None:
            per_child[key].add(state, n, n_late)
    chain = OrgUnit.path_ids(unit.path)
    crumb_ids = chain[len(OrgUnit.path_ids(root.path)) - 1 :]
    units = OrgUnit.objects.only("id", "name", "code", "level", "path", "parent_id").in_bulk(
        set(per_child) | set(crumb_ids)
    )
    children = [
        DashboardNode(
            unit=units[key], rollup=rollup, is_direct=key == unit.pk, has_units_below=key in deeper
        )
        for key, rollup in per_child.items()
        if key in units
    ]
    children.sort(key=lambda node: (not node.is_direct, node.unit.code))
    attention: list[dict] = []
    if attention_limit:
        attention = dashboard_attention(scoped, now=now, limit=attention_limit)
    return Dashboard(
        root=root,
        unit=unit,
        breadcrumbs=[units.get(pk, unit) for pk in crumb_ids],
        rollup=total,
        children=children,
        attention=attention,
        attention_more=max(0, total.attention - len(attention)),
    )


def dashboard_attention(
    tasks: QuerySet[SupportTask], *, now: datetime, limit: int = ATTENTION_LIMIT
) -> list[dict]:
    """The first `limit` tasks needing attention, overdue first (earliest deadline first), then
    faulty, then unanswered; each with the reasons why. One query."""
    late = overdue_q(now)
    rank = Case(When(late, then=Value(0)), When(state="faulty", then=Value(1)), default=Value(2))
    qs = (
        tasks.filter(late | Q(state="faulty") | Q(state__in=UNANSWERED_STATES))
        .annotate(rank=rank)
        .select_related("venue", "org_unit", "assignee")
        .only(
            "state",
            "on_site_due_at",
            "ready_due_at",
            "venue__name",
            "org_unit__name",
            "assignee__name",
        )
        .order_by("rank", "on_site_due_at", "org_unit__path", "id")[:limit]
    )
    rows = []
    for task in qs:
        reasons: list[tuple[str, str]] = []
        if task.on_site_due_at and task.on_site_due_at < now and task.state in BEFORE_SITE:
            reasons.append(("missed_on_site", _("逾期未到场")))
        elif task.ready_due_at and task.ready_due_at < now and task.state in BEFORE_READY:
            reasons.append(("missed_ready", _("逾期未就绪")))
        if task.state == "faulty":
            reasons.append(("faulty", _("故障")))
        if task.state in UNANSWERED_STATES:
            reasons.append(("unanswered", _("未确认")))
        rows.append(
            {
                "task": task,
                "reasons": reasons,
                "is_overdue": task.rank == 0,
                "state_class": STATE_BADGE.get(task.state, ""),
            }
        )
    return rows


def dashboard_venue_rows(
    tasks: QuerySet[SupportTask],
    *,
    now: datetime,
    limit: int = VENUE_ROWS_LIMIT,
    with_people: bool = True,
) -> list[SupportTask]:
    """Venue tasks not ready first (faulty, overdue, the rest), then ready ones, by unit; capped.
    Without people for the share page: the assignee is not even fetched."""
    late = overdue_q(now)
    rank = Case(
        When(state="faulty", then=Value(0)),
        When(late, then=Value(1)),
        When(state="cancelled", then=Value(4)),
        When(state__in=READY_STATES, then=Value(3)),
        default=Value(2),
    )
    related = ("venue", "org_unit", "assignee") if with_people else ("venue", "org_unit")
    qs = (
        tasks.annotate(rank=rank)
        .select_related(*related)
        .order_by("rank", "org_unit__path", "venue__code", "id")
    )
    if not with_people:
        qs = qs.only(
            "id", "state", "org_unit__name", "org_unit__path", "venue__name", "venue__code"
        )
    return list(qs[:limit])


def dashboard_timeline(
    meeting: Meeting, tasks: QuerySet[SupportTask], *, limit: int = TIMELINE_LIMIT
) -> list[dict]:
    """The meeting's events and the latest task moves, newest first. Two queries."""
    events = meeting.events.select_related("actor").order_by("-at", "-id")[:limit]
    # Newest by id: the primary key lets the database walk back from the end and stop at `limit`.
    moves = (
        TaskTransition.objects.filter(task__in=tasks)
        .select_related("task__venue")
        .only("at", "to_state", "task__venue__name")
        .order_by("-id")[:limit]
    )
    entries: list[dict[str, Any]] = [{"at": e.at, "event": e} for e in events] + [
        {
            "at": m.at,
            "move": m,
            "label": SupportTask.State(m.to_state).label,
            "state_class": STATE_BADGE.get(m.to_state, ""),
        }
        for m in moves
    ]
    entries.sort(key=lambda entry: entry["at"], reverse=True)
    return entries


def share_link_list(meeting: Meeting, *, user, now: datetime) -> QuerySet:
    """The meeting's active share links that the user may see (made for the user's subtree)."""
    return (
        ShareLink.objects.visible_to(user)
        .filter(meeting=meeting)
        .active(now)
        .select_related("org_unit", "created_by")
        .order_by("expires_at", "id")
    )

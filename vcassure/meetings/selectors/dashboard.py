"""Reads of the live dashboard and the status API: the roll-up (rollups.py) folded onto the units,
the rows needing attention, the venue rows, the timeline, share links."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import (
    Case,
    Exists,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
)
from django.utils.translation import gettext as _

from vcassure.accounts.types import UserLike
from vcassure.core import clock
from vcassure.meetings.models import (
    Meeting,
    ShareLink,
    SupportTask,
    SupportTaskQuerySet,
    TaskTransition,
    overdue_q,
)
from vcassure.meetings.selectors.probes import machine_reasons, venue_machine_down
from vcassure.meetings.selectors.rollups import (
    READY_STATES,
    UNANSWERED_STATES,
    Rollup,
    unit_rollups,
)
from vcassure.meetings.selectors.tasks import BEFORE_READY, BEFORE_SITE, overdue_tasks
from vcassure.orgs.models import OrgUnit
from vcassure.orgs.scoping import in_scope, scope_unit

ATTENTION_LIMIT = 50
TIMELINE_LIMIT = 30
VENUE_ROWS_LIMIT = 100
OVERDUE_LIMIT = 200


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


def dashboard_tasks(meeting: Meeting, *, user: UserLike) -> SupportTaskQuerySet:
    """The venue tasks of a meeting that the user may see."""
    return SupportTask.objects.visible_to(user).filter(meeting=meeting, kind=SupportTask.Kind.VENUE)


def share_tasks(link) -> SupportTaskQuerySet:
    """The venue tasks a share link shows: those in the subtree of whoever made it."""
    return SupportTask.objects.in_subtree(link.org_unit).filter(
        meeting_id=link.meeting_id,
        kind=SupportTask.Kind.VENUE,
    )


def dashboard_root(meeting: Meeting, *, user: UserLike) -> OrgUnit:
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


def meeting_status(meeting: Meeting, *, user: UserLike, parent: OrgUnit | None = None) -> dict:
    """The status API: counts by state, the roll-up per child unit of `parent` (default: the
    meeting's unit) and the overdue tasks; three queries whatever the meeting's size."""
    now = clock.now()
    parent = parent or meeting.org_unit
    rollups = unit_rollups(dashboard_tasks(meeting, user=user), unit=parent, now=now)
    names = OrgUnit.objects.in_bulk(rollups.per_child.keys())
    units = [
        {
            "org_unit": uid,
            "name": names[uid].name,
            "level": names[uid].level,
            "counts": dict(rollup.counts),
        }
        for uid, rollup in sorted(rollups.per_child.items(), key=lambda kv: names[kv[0]].code)
        if uid in names
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
        for t in overdue_tasks(meeting, user=user, now=now)[:OVERDUE_LIMIT]
    ]
    return {"counts": dict(rollups.total.counts), "units": units, "overdue": overdue}


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
    rollups = unit_rollups(scoped, unit=unit, now=now)
    per_child, deeper, total = rollups.per_child, rollups.deeper, rollups.total
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
        attention = dashboard_attention(
            scoped, now=now, limit=attention_limit, machine_down=total.machine_down > 0
        )
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
    tasks: QuerySet[SupportTask],
    *,
    now: datetime,
    limit: int = ATTENTION_LIMIT,
    machine_down: bool = True,
) -> list[dict]:
    """The first `limit` tasks needing attention, overdue first (earliest deadline first), then
    faulty or kept out of the venue (an open venue-access report), then a device down, then
    unanswered; each with the reasons why, the machine's beside the people's (terminal
    unreachable, switch uplink down), and the venue's open fault with its clock (the restore
    deadline). Two queries, three when a device is down. `machine_down=False` (the roll-up found
    no device down) spares the test of every task's venue devices."""
    from vcassure.faults.models import Fault
    from vcassure.faults.selectors import open_faults_by_venue

    late = overdue_q(now)
    blocked = Exists(
        Fault.objects.filter(
            venue_id=OuterRef("venue_id"),
            source=Fault.Source.ACCESS,
            state__in=Fault.ACTIVE_STATES,
        )
    )
    needs = late | Q(state="faulty") | Q(state__in=UNANSWERED_STATES) | Q(blocked)
    ranks = [When(late, then=Value(0)), When(Q(state="faulty") | Q(blocked), then=Value(1))]
    down: Exists | Value = Value(False)
    if machine_down:  # the roll-up counted a device down: test each task's venue
        down = venue_machine_down(now)
        needs |= Q(down)
        ranks.append(When(down, then=Value(2)))
    rank = Case(*ranks, default=Value(3))
    order = ("rank", "on_site_due_at", "org_unit__path", "id")
    # The first `limit` picked among the tasks alone, then only those joined to their venue, unit
    # and assignee (joining first made the database join every candidate, ~500 of 2,000).
    picked = tasks.filter(needs).annotate(rank=rank).order_by(*order).values("pk")[:limit]
    qs = (
        SupportTask.objects.filter(pk__in=picked)
        .annotate(rank=rank, blocked=blocked, machine_down=down)
        .select_related("venue", "org_unit", "assignee")
        .only(
            "state",
            "on_site_due_at",
            "ready_due_at",
            "venue_id",
            "venue__name",
            "org_unit__name",
            "assignee__name",
        )
        .order_by(*order)
    )
    tasks_list = list(qs)
    faults = open_faults_by_venue({t.venue_id for t in tasks_list if t.venue_id})
    rows = []
    # Which devices are down: asked only when a row's venue has one (most boards have none).
    down_venues = [t.venue_id for t in tasks_list if t.machine_down and t.venue_id]
    machines = machine_reasons(down_venues, now=now) if down_venues else {}
    for task in tasks_list:
        reasons: list[tuple[str, str]] = []
        if task.on_site_due_at and task.on_site_due_at < now and task.state in BEFORE_SITE:
            reasons.append(("missed_on_site", _("逾期未到场")))
        elif task.ready_due_at and task.ready_due_at < now and task.state in BEFORE_READY:
            reasons.append(("missed_ready", _("逾期未就绪")))
        if task.state == "faulty":
            reasons.append(("faulty", _("故障")))
        if task.blocked:
            reasons.append(("access", _("无法进入会场")))
        if task.state in UNANSWERED_STATES:
            reasons.append(("unanswered", _("未确认")))
        machine = [
            (f"{status.equipment.kind}_{status.failure}", machine_label(status))
            for status in (machines.get(task.venue_id, []) if task.venue_id else [])
        ]
        fault = faults.get(task.venue_id) if task.venue_id is not None else None
        is_overdue = task.rank == 0
        # What the row shows, ready to print: a template lookup through a dict is the fast one.
        rows.append(
            {
                "task": task,
                "reasons": reasons,
                "machine": machine,
                "is_overdue": is_overdue,
                "is_bad": bool(is_overdue or task.state == "faulty" or fault or machine),
                "venue_name": task.venue.name if task.venue else "",
                "unit_name": task.org_unit.name,
                "assignee_name": task.assignee.name if task.assignee else "",
                "state_label": task.get_state_display(),
                "state_class": STATE_BADGE.get(task.state, ""),
                # The deadline missed, or the next one: the ready deadline once on site.
                "due_at": (
                    task.ready_due_at
                    if reasons and reasons[0][0] == "missed_ready"
                    else task.on_site_due_at
                ),
                "fault": fault,
                "fault_late": bool(
                    fault is not None and fault.restore_due_at and fault.restore_due_at < now
                ),
            }
        )
    return rows


FAR_CHECK_IN_LIMIT = 20


def dashboard_far_check_ins(
    tasks: QuerySet[SupportTask], *, limit: int = FAR_CHECK_IN_LIMIT
) -> list[SupportTask]:
    """Venue tasks checked in more than CHECK_IN_FAR_METRES from their venue, farthest first
    (flagged for a phone call, never refused). One query."""
    from django.conf import settings

    return list(
        tasks.filter(check_in_distance_m__gt=settings.CHECK_IN_FAR_METRES)
        .select_related("venue", "org_unit", "assignee")
        .only(
            "state",
            "checked_in_at",
            "check_in_distance_m",
            "venue__name",
            "org_unit__name",
            "assignee__name",
        )
        .order_by("-check_in_distance_m", "id")[:limit]
    )


def machine_label(status) -> str:
    """What a dispatcher reads of a failing device: 终端不可达, 交换机上联中断…"""
    kind = _("终端") if status.equipment.kind == "terminal" else _("交换机")
    if status.failure == "uplink_down":
        return _("%(kind)s上联中断") % {"kind": kind}
    if status.failure == "auth":
        return _("%(kind)s探测认证失败") % {"kind": kind}
    return _("%(kind)s不可达") % {"kind": kind}


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
            "event": None,
            "move": m,
            "venue_name": m.task.venue.name if m.task.venue else "",
            "label": SupportTask.State(m.to_state).label,
            "state_class": STATE_BADGE.get(m.to_state, ""),
        }
        for m in moves
    ]
    entries.sort(key=lambda entry: entry["at"], reverse=True)
    return entries


def share_link_list(meeting: Meeting, *, user: UserLike, now: datetime) -> QuerySet:
    """The meeting's active share links that the user may see (made for the user's subtree)."""
    return (
        ShareLink.objects.visible_to(user)
        .filter(meeting=meeting)
        .active(now)
        .select_related("org_unit", "created_by")
        .order_by("expires_at", "id")
    )

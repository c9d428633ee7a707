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


@dataclass(frozen=True, slots=True)
class AttentionTask:
    """The task of an attention row: what the row and its links need of it."""

    pk: int
    venue_id: int | None
    state: str
    on_site_due_at: datetime | None
    ready_due_at: datetime | None


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
    deadline). Two queries; one more when a row's venue has an open fault, one more when a row's
    venue has a device down. `machine_down=False` (the roll-up found no device down) spares the
    test of every task's venue devices."""
    from vcassure.faults.models import Fault
    from vcassure.faults.selectors import open_faults_by_venue

    late = overdue_q(now)
    open_faults = Fault.objects.filter(venue_id=OuterRef("venue_id"), state__in=Fault.ACTIVE_STATES)
    blocked = Exists(open_faults.filter(source=Fault.Source.ACCESS))
    needs = late | Q(state="faulty") | Q(state__in=UNANSWERED_STATES) | Q(blocked)
    ranks = [When(late, then=Value(0)), When(Q(state="faulty") | Q(blocked), then=Value(1))]
    down: Exists | Value = Value(False)
    if machine_down:  # the roll-up counted a device down: test each task's venue
        down = venue_machine_down(now)
        needs |= Q(down)
        ranks.append(When(down, then=Value(2)))
    rank = Case(*ranks, default=Value(3))
    # The first `limit` picked among the tasks alone, as plain values; the database tests the
    # picked rows only for an open fault and a device down (the select list's tests come after the
    # sort and the limit). Then only those are joined to their venue, unit and assignee (joining
    # first made the database join every candidate, ~500 of 2,000).
    picked = list(
        tasks.filter(needs)
        .annotate(rank=rank, blocked=blocked, down=down, faulted=Exists(open_faults))
        .order_by("rank", "on_site_due_at", "org_unit__path", "id")
        .values_list("pk", "rank", "blocked", "down", "faulted")[:limit]
    )
    if not picked:
        return []
    shown = {
        row[0]: row[1:]
        for row in SupportTask.objects.filter(pk__in=[row[0] for row in picked])
        .order_by()
        .values_list(
            "pk",
            "venue_id",
            "state",
            "on_site_due_at",
            "ready_due_at",
            "venue__name",
            "org_unit__name",
            "assignee__name",
        )
    }
    faulted = {shown[row[0]][0] for row in picked if row[4] and row[0] in shown}
    faults = open_faults_by_venue(faulted) if faulted else {}
    # Which devices are down: asked only when a row's venue has one (most boards have none).
    down_venues = [shown[row[0]][0] for row in picked if row[3] and row[0] in shown]
    machines = machine_reasons(down_venues, now=now) if down_venues else {}
    rows = []
    for pk, rank_of, is_blocked, _is_down, _faulted in picked:
        if pk not in shown:  # moved out of the meeting between the two reads (cancelled, deleted)
            continue
        venue_id, state, on_site_due_at, ready_due_at, venue_name, unit_name, assignee = shown[pk]
        task = AttentionTask(pk, venue_id, state, on_site_due_at, ready_due_at)
        reasons: list[tuple[str, str]] = []
        if on_site_due_at and on_site_due_at < now and state in BEFORE_SITE:
            reasons.append(("missed_on_site", _("逾期未到场")))
        elif ready_due_at and ready_due_at < now and state in BEFORE_READY:
            reasons.append(("missed_ready", _("逾期未就绪")))
        if state == "faulty":
            reasons.append(("faulty", _("故障")))
        if is_blocked:
            reasons.append(("access", _("无法进入会场")))
        if state in UNANSWERED_STATES:
            reasons.append(("unanswered", _("未确认")))
        machine = [
            (f"{kind}_{failure}", machine_label(kind, failure))
            for kind, failure in (machines.get(venue_id, []) if venue_id else [])
        ]
        fault = faults.get(venue_id) if venue_id is not None else None
        is_overdue = rank_of == 0
        # What the row shows, ready to print: a template lookup through a dict is the fast one.
        rows.append(
            {
                "task": task,
                "reasons": reasons,
                "machine": machine,
                "is_overdue": is_overdue,
                "is_bad": bool(is_overdue or state == "faulty" or fault or machine),
                "venue_name": venue_name or "",
                "unit_name": unit_name,
                "assignee_name": assignee or "",
                "state_label": SupportTask.State(state).label,
                "state_class": STATE_BADGE.get(state, ""),
                # The deadline missed, or the next one: the ready deadline once on site.
                "due_at": (
                    ready_due_at if reasons and reasons[0][0] == "missed_ready" else on_site_due_at
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


def machine_label(kind: str, failure: str) -> str:
    """What a dispatcher reads of a failing device: 终端不可达, 交换机上联中断…"""
    device = _("终端") if kind == "terminal" else _("交换机")
    if failure == "uplink_down":
        return _("%(kind)s上联中断") % {"kind": device}
    if failure == "auth":
        return _("%(kind)s探测认证失败") % {"kind": device}
    return _("%(kind)s不可达") % {"kind": device}


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


@dataclass(frozen=True, slots=True)
class TimelineMove:
    task_id: int
    to_state: str
    at: datetime


# The latest moves of a meeting are read this many at a time, newest first, until `limit` of them
# fall in the viewer's scope (a county following a province meeting skips the others' moves).
TIMELINE_BATCH = 4 * TIMELINE_LIMIT
TIMELINE_MAX_BATCHES = 10


def dashboard_timeline(
    meeting: Meeting, tasks: QuerySet[SupportTask], *, limit: int = TIMELINE_LIMIT
) -> list[dict]:
    """The meeting's events and the latest moves of `tasks` (the viewer's), newest first. Three
    queries for a viewer who sees most of the meeting.

    The moves are read newest first on the meeting's own index (meeting, -id), a batch at a time,
    and only then checked against `tasks` by primary key: the database never joins the meeting's
    every move to its tasks (right after a province-wide publish its statistics still say the
    meeting has no moves, and the planner chose exactly that, 4,000 rows to keep 30)."""
    events = meeting.events.select_related("actor").order_by("-at", "-id")[:limit]
    moves: list[tuple[TimelineMove, str]] = []
    batches = TaskTransition.objects.filter(meeting_id=meeting.pk).order_by("-id")
    before: int | None = None
    for _batch in range(TIMELINE_MAX_BATCHES):
        page = batches.filter(id__lt=before) if before is not None else batches
        rows = list(page.values_list("id", "task_id", "to_state", "at")[:TIMELINE_BATCH])
        if not rows:
            break
        names = dict(
            tasks.filter(pk__in={task_id for _, task_id, _, _ in rows})
            .order_by()
            .values_list("pk", "venue__name")
        )
        moves += [
            (TimelineMove(task_id, to_state, at), names[task_id] or "")
            for _, task_id, to_state, at in rows
            if task_id in names
        ]
        if len(moves) >= limit or len(rows) < TIMELINE_BATCH:
            break
        before = rows[-1][0]
    entries: list[dict[str, Any]] = [{"at": e.at, "event": e} for e in events] + [
        {
            "at": move.at,
            "event": None,
            "move": move,
            "venue_name": venue_name,
            "label": SupportTask.State(move.to_state).label,
            "state_class": STATE_BADGE.get(move.to_state, ""),
        }
        for move, venue_name in moves[:limit]
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

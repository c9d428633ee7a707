"""Reads of the live dashboard and the status API: the roll-up (rollups.py) folded onto the units,
the venue rows, far check-ins, share links. The rows needing attention are in attention.py, the
timeline in timeline.py."""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import (
    Case,
    QuerySet,
    Value,
    When,
)

from vcassure.accounts.types import UserLike
from vcassure.core import clock
from vcassure.meetings.models import (
    Meeting,
    ShareLink,
    SupportTask,
    SupportTaskQuerySet,
    overdue_q,
)
from vcassure.meetings.selectors.attention import ATTENTION_LIMIT, dashboard_attention
from vcassure.meetings.selectors.rollups import (
    READY_STATES,
    Rollup,
    unit_rollups,
)
from vcassure.meetings.selectors.tasks import overdue_tasks
from vcassure.orgs.models import OrgUnit
from vcassure.orgs.scoping import in_scope, scope_unit

VENUE_ROWS_LIMIT = 100
OVERDUE_LIMIT = 200


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


def share_link_list(meeting: Meeting, *, user: UserLike, now: datetime) -> QuerySet:
    """The meeting's active share links that the user may see (made for the user's subtree)."""
    return (
        ShareLink.objects.visible_to(user)
        .filter(meeting=meeting)
        .active(now)
        .select_related("org_unit", "created_by")
        .order_by("expires_at", "id")
    )

"""Reads of support tasks: lists, one task, the task tree, overdue tasks, the acknowledgement page."""

from collections import defaultdict
from datetime import datetime, time, timedelta

from django.db.models import Count, QuerySet
from django.urls import reverse
from django.utils import timezone

from vcassure.accounts.types import UserLike
from vcassure.core import clock
from vcassure.core.subjects import SubjectLabel, fault_id_of, task_id_of
from vcassure.meetings.models import (
    Meeting,
    SupportTask,
    overdue_q,
)
from vcassure.orgs.models import OrgUnit

BEFORE_SITE = SupportTask.BEFORE_SITE_STATES


BEFORE_READY = SupportTask.BEFORE_READY_STATES


def task_list(
    *,
    user: UserLike,
    meeting: Meeting | None = None,
    state: str = "",
    org_unit: int | None = None,
    kind: str = "",
    mine: bool = False,
) -> QuerySet[SupportTask]:
    qs = SupportTask.objects.select_related(
        "venue", "department", "assignee", "org_unit", "meeting", "fibre_route__venue"
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


def task_get(*, user: UserLike, pk: int) -> SupportTask:
    staff = getattr(user, "staff_profile", None)
    qs = SupportTask.objects.select_related(
        "venue", "department", "assignee", "org_unit", "meeting", "fibre_route__venue"
    )
    task = qs.filter(pk=pk).first()
    if task is None:
        raise SupportTask.DoesNotExist
    if staff is not None and task.assignee_id == staff.pk:
        return task
    return qs.visible_to(user).get(pk=pk)


def task_get_for_staff(*, staff_id: int, pk: int) -> SupportTask:
    """A task by its assignee (a person who came through their personal link, no login)."""
    return SupportTask.objects.select_related(
        "venue", "department", "assignee", "org_unit", "meeting"
    ).get(pk=pk, assignee_id=staff_id)


def overdue_tasks(
    meeting: Meeting, *, user: UserLike, now: datetime | None = None
) -> QuerySet[SupportTask]:
    """Venue tasks past a deadline they have not met (R10): on site, or ready."""
    return (
        SupportTask.objects.visible_to(user)
        .filter(overdue_q(now or clock.now()), meeting=meeting, kind=SupportTask.Kind.VENUE)
        .select_related("venue", "assignee", "org_unit")
        .order_by("on_site_due_at", "id")
    )


def task_tree(meeting: Meeting, *, user: UserLike) -> list[dict]:
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


def task_tree_below(meeting: Meeting, *, user: UserLike, unit: OrgUnit) -> list[dict]:
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
    # A fault notice: after acknowledging, the fault's phone page (network ops, the assignee).
    return {"task": task, "contacts": contacts, "fault_id": fault_id_of(notification.subject)}


def task_labels(ids: set[int]) -> dict[int, SubjectLabel]:
    """How pages of lower apps name a task (core.subjects): its venue (or its role and department)
    and its person, linking to the task's card."""
    tasks = SupportTask.objects.filter(pk__in=ids).select_related("venue", "department", "assignee")
    labels = {}
    for task in tasks.only(
        "id", "kind", "role", "venue__name", "department__name", "assignee__name"
    ):
        place = task.venue.name if task.venue else task.department.name if task.department else ""
        what = place or task.get_role_display()
        who = task.assignee.name if task.assignee else ""
        text = f"{what} · {who}" if who else what
        labels[task.pk] = SubjectLabel(text, reverse("meetings:task_field", args=[task.pk]))
    return labels


def task_agenda(staff_ids, start: datetime, end: datetime) -> list:
    """The core.agenda source of meetings: each live task a person is assigned, from its busy
    window's start (on site) to its end (shutdown), with the venue's address and the deadlines.
    Duty rosters count these against the person; the calendar feed lists them."""
    from django.utils.translation import gettext as _

    from vcassure.core.agenda import AgendaItem

    qs = SupportTask.objects.filter(
        assignee__isnull=False,
        busy_from__isnull=False,
        busy_from__lt=end,
        busy_until__gt=start,
        meeting__state__in=[
            Meeting.State.PUBLISHED,
            Meeting.State.IN_PROGRESS,
            Meeting.State.ENDED,
        ],
    ).exclude(state=SupportTask.State.CANCELLED)
    if staff_ids is not None:
        qs = qs.filter(assignee_id__in=list(staff_ids))
    items = []
    for task in qs.select_related("meeting", "venue", "department").only(
        "id",
        "assignee_id",
        "busy_from",
        "busy_until",
        "on_site_due_at",
        "ready_due_at",
        "shutdown_due_at",
        "meeting__title",
        "venue__name",
        "venue__address",
        "venue__room",
        "department__name",
    ):
        if task.assignee_id is None or task.busy_from is None or task.busy_until is None:
            continue  # excluded by the query; for the type checker
        place = task.venue.name if task.venue else task.department.name if task.department else ""
        address = (
            " ".join(x for x in (task.venue.address, task.venue.room) if x) if task.venue else ""
        )
        deadlines = tuple(
            (label, due)
            for label, due in (
                (_("到场时限"), task.on_site_due_at),
                (_("就绪时限"), task.ready_due_at),
                (_("关机时限"), task.shutdown_due_at),
            )
            if due is not None
        )
        items.append(
            AgendaItem(
                staff_id=task.assignee_id,
                kind="task",
                uid=f"task-{task.pk}",
                starts_at=task.busy_from,
                ends_at=task.busy_until,
                title=f"{task.meeting.title} · {place}" if place else task.meeting.title,
                location=address or place,
                deadlines=deadlines,
            )
        )
    return items


def staff_with_venue_tasks_on(day, staff_ids) -> set[int]:
    """Those of the staff who have a venue task at a meeting held (in part) on that local day."""
    start = timezone.make_aware(datetime.combine(day, time.min))
    end = start + timedelta(days=1)
    return set(
        SupportTask.objects.filter(
            kind=SupportTask.Kind.VENUE,
            assignee_id__in=list(staff_ids),
            meeting__starts_at__lt=end,
            meeting__ends_at__gt=start,
        )
        .exclude(state=SupportTask.State.CANCELLED)
        .values_list("assignee_id", flat=True)
    )

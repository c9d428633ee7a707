"""Publishing a meeting (R2, R3, C4): the whole task chain in one transaction with bulk writes,
the notices and digests queued with it."""

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from vcassure.accounts.types import UserLike
from vcassure.core import clock
from vcassure.core.bulk import bulk_insert
from vcassure.core.errors import ConflictError, InvalidInputError
from vcassure.core.services import audit_record
from vcassure.meetings.dispatch import (
    DispatchPlan,
    dispatch_plan,
)
from vcassure.meetings.models import (
    Meeting,
    SupportTask,
)
from vcassure.meetings.notify import notify_meeting_event, require_group_coverage
from vcassure.meetings.services._common import check_owner
from vcassure.meetings.services.meetings import meeting_move
from vcassure.meetings.services.tasks import (
    support_tasks_created,
)
from vcassure.notifications.models import Notification
from vcassure.orgs.models import Department, OrgUnit, Staff
from vcassure.venues.models import FibreRoute, Venue

BULK_BATCH = 500


def meeting_plan(meeting: Meeting) -> DispatchPlan:
    return dispatch_plan(meeting)


@transaction.atomic
def meeting_publish(
    meeting: Meeting, *, by: UserLike, confirm_shortfalls: bool = False
) -> tuple[Meeting, DispatchPlan]:
    """R2 + R3 + C4: build the whole chain in one transaction with bulk writes."""
    meeting = (
        Meeting.objects.select_for_update(of=("self",))
        .select_related("org_unit", "main_venue__org_unit")
        .get(pk=meeting.pk)
    )
    check_owner(meeting, by)
    if meeting.state != Meeting.State.DRAFT:
        raise ConflictError(_("会议已发布或已结束，不能重复发布。"), code="already_published")
    if not meeting.has_notice:
        raise InvalidInputError(
            _("发布前必须提供客户或集客部的正式会议通知(文号或文件)。"),
            errors=[{"field": "notice_ref", "message": _("缺少正式会议通知。")}],
            code="notice_required",
        )
    if meeting.starts_at <= clock.now():
        raise InvalidInputError(
            _("会议开始时间已过，请先改期再发布。"),
            errors=[{"field": "starts_at", "message": _("开始时间已过。")}],
        )
    plan = dispatch_plan(meeting)
    require_group_coverage({t.org_unit_id for t in plan.tasks})
    if plan.shortfalls and not confirm_shortfalls:
        raise ConflictError(
            _("存在 %(n)s 项人员缺口，请确认后再发布。") % {"n": len(plan.shortfalls)},
            errors=plan.shortfalls,
            code="shortfalls",
        )
    now = clock.now()
    created = support_tasks_write_plan(meeting, plan, by=by, now=now)
    _attach_loaded(created, plan)
    meeting.published_at = now
    meeting.shortfalls = plan.shortfalls
    event = meeting_move(
        meeting,
        to=Meeting.State.PUBLISHED,
        at=now,
        by=by,
        fields=("published_at", "shortfalls"),
        changes={"tasks": len(plan.tasks), "shortfalls": len(plan.shortfalls)},
    )
    notify_meeting_event(
        meeting, event, headline=_("【保障通知】"), kind=Notification.Kind.PUBLISHED, tasks=created
    )
    audit_record(
        actor=by,
        action="meeting.publish",
        obj=meeting,
        changes={
            "tasks": len(plan.tasks),
            "shortfalls": len(plan.shortfalls),
            "confirmed": confirm_shortfalls,
        },
    )
    return meeting, plan


def _attach_loaded(tasks: list[SupportTask], plan: DispatchPlan) -> None:
    """Give the tasks just written their venue, department, unit, assignee and fibre route from what the plan
    read (the few it did not read, such as emergency staff taken by id, in one query each), so
    that the notices are written without reading 2,000 tasks and their relations back."""
    loaded = plan.loaded
    models: dict[str, Any] = {
        "venue": Venue,
        "org_unit": OrgUnit,
        "department": Department,
        "staff": Staff,
        "fibre_route": FibreRoute,
    }
    fields = {
        "venue": "venue",
        "org_unit": "org_unit",
        "department": "department",
        "staff": "assignee",
        "fibre_route": "fibre_route",
    }
    for name, field in fields.items():
        known = loaded.setdefault(name, {})
        missing = {getattr(t, f"{field}_id") for t in tasks} - known.keys() - {None}
        if missing:
            known.update(models[name].objects.in_bulk(missing))
        for task in tasks:
            related_id = getattr(task, f"{field}_id")
            setattr(task, field, known[related_id] if related_id is not None else None)


def support_tasks_write_plan(
    meeting: Meeting, plan: DispatchPlan, *, by: UserLike, now
) -> list[SupportTask]:
    """Write a dispatch plan's tasks with their first transitions (the one write path for a
    published plan, also used by `seed_history` for past meetings). Parents are inserted before
    children, level by level, so that every task knows its parent's id."""
    ids: dict[str, int] = {}
    pending = list(plan.tasks)
    created: list[SupportTask] = []
    while pending:
        ready = [t for t in pending if t.parent_key is None or t.parent_key in ids]
        if not ready:
            raise RuntimeError("dispatch plan has a task whose parent is missing")
        rows = [
            SupportTask(
                meeting=meeting,
                kind=t.kind,
                role=t.role,
                org_unit_id=t.org_unit_id,
                parent_id=ids.get(t.parent_key) if t.parent_key else None,
                department_id=t.department_id,
                venue_id=t.venue_id,
                fibre_route_id=t.fibre_route_id,
                assignee_id=t.assignee_id,
                assignment=t.assignment,
                on_site_due_at=t.on_site_due_at,
                ready_due_at=t.ready_due_at,
                shutdown_due_at=t.shutdown_due_at,
                busy_from=t.busy_from,
                busy_until=t.busy_until,
                created_at=now,
            )
            for t in ready
        ]
        bulk_insert(rows, batch_size=BULK_BATCH)
        for planned, row in zip(ready, rows, strict=True):
            ids[planned.key] = row.pk
        created += rows
        done = {t.key for t in ready}
        pending = [t for t in pending if t.key not in done]
    support_tasks_created(created, by=by, at=now)
    created.sort(key=lambda t: t.pk)
    return created

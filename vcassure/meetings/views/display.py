"""How meeting pages show things: states, the task tree, a dispatch plan, the timeline."""

from collections import Counter
from datetime import datetime
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from vcassure.meetings.dispatch import DispatchPlan
from vcassure.meetings.models import Meeting, MeetingEvent, SupportTask
from vcassure.orgs.models import OrgUnit


def state_list(counts: dict[str, int]) -> list[tuple[str, Any, int]]:
    return [
        (value, label, counts[value])
        for value, label in SupportTask.State.choices
        if counts.get(value)
    ]


def decorate_tree(nodes: list[dict]) -> list[dict]:
    for node in nodes:
        node["states"] = state_list(node["counts"])
        decorate_tree(node["children"])
    return nodes


def tree_units(nodes: list[dict]) -> list[OrgUnit]:
    units: dict[int, OrgUnit] = {}

    def walk(items):
        for node in items:
            units.setdefault(node["task"].org_unit_id, node["task"].org_unit)
            walk(node["children"])

    walk(nodes)
    return sorted(units.values(), key=lambda u: u.code)


def plan_summary(plan: DispatchPlan) -> dict:
    roles = Counter(t.role for t in plan.tasks)
    assignments = Counter(t.assignment for t in plan.tasks)
    return {
        "total": len(plan.tasks),
        "venue_tasks": plan.venue_task_count,
        "coordination_tasks": len(plan.tasks) - plan.venue_task_count,
        "roles": [
            (label, roles[value]) for value, label in SupportTask.Role.choices if roles[value]
        ],
        "assignments": [
            (value, label, assignments[value])
            for value, label in SupportTask.Assignment.choices
            if assignments[value]
        ],
        "shortfalls": plan.shortfalls,
    }


def local(iso: str | None) -> str:
    if not iso:
        return "—"
    try:
        return timezone.localtime(datetime.fromisoformat(iso)).strftime("%Y-%m-%d %H:%M")
    except ValueError:
        return iso


def field_label(name: str) -> str:
    try:
        return str(getattr(Meeting._meta.get_field(name), "verbose_name", name))
    except FieldDoesNotExist:
        return name


def event_summary(event: MeetingEvent) -> str:
    changes = event.changes or {}
    if event.kind == MeetingEvent.Kind.CREATED:
        return _("分会场 %(n)s 个") % {"n": changes.get("venues", 0)}
    if event.kind == MeetingEvent.Kind.UPDATED:
        fields = [field_label(f) for f in changes.get("fields", [])]
        return (
            _("修改了：%(fields)s") % {"fields": pgettext("list separator", "、").join(fields)}
            if fields
            else ""
        )
    if event.kind == MeetingEvent.Kind.PUBLISHED:
        return _("生成 %(tasks)s 项任务，人员缺口 %(shortfalls)s 项") % {
            "tasks": changes.get("tasks", 0),
            "shortfalls": changes.get("shortfalls", 0),
        }
    if event.kind == MeetingEvent.Kind.RESCHEDULED:
        starts, ends = (
            changes.get("starts_at") or [None, None],
            changes.get("ends_at") or [None, None],
        )
        return _("时间由 %(old_start)s 至 %(old_end)s 改为 %(new_start)s 至 %(new_end)s") % {
            "old_start": local(starts[0]),
            "old_end": local(ends[0]),
            "new_start": local(starts[1]),
            "new_end": local(ends[1]),
        }
    if event.kind == MeetingEvent.Kind.CANCELLED:
        return _("原因：%(reason)s") % {"reason": changes.get("reason", "")}
    return ""

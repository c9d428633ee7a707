"""Coordination tasks completed by their departments (C12): the broadcast centre's channel, network
operations' trunk check, a county's "all townships ready", and the customer departments' tracking
rolled up from their subtree. Task states move only through the door (tasks.py)."""

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime, timedelta

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from vcassure.accounts.types import UserLike, actor
from vcassure.core import clock
from vcassure.core.errors import ConflictError, InvalidInputError
from vcassure.core.services import audit_record
from vcassure.meetings.models import SupportTask, TaskCompletion
from vcassure.meetings.permissions import can_manage_meetings
from vcassure.meetings.services.tasks import support_tasks_complete, tasks_for_move

# Tracking tasks: they complete when everything below them has (R2: each customer department
# tracks the completion of everything below it).
Role = SupportTask.Role
State = SupportTask.State

ROLLUP_ROLES = (Role.PUBLISH, Role.OPS, Role.CUSTOMER)


# A venue counted as ready for a county's "all townships ready".
READY_STATES = (State.READY, State.IN_MEETING, State.DONE, State.CANCELLED)


def _check_can_complete(task: SupportTask, user: UserLike) -> None:
    """The department's head (the task's assignee), anyone of that department, or someone who
    manages meetings in scope. Out of scope is a 404."""
    staff = getattr(user, "staff_profile", None)
    if staff is not None and task.assignee_id == staff.pk:
        return
    if not SupportTask.objects.visible_to(user).filter(pk=task.pk).exists():
        raise SupportTask.DoesNotExist
    if staff is not None and task.department_id and staff.department_id == task.department_id:
        return
    if not can_manage_meetings(user):
        raise PermissionDenied(_("只有承担该任务的部门人员或本辖区调度员可以完成协调任务。"))


def _when(value: datetime | None, name: str, label: str, now: datetime) -> datetime:
    if value is None:
        raise InvalidInputError(
            _("请填写%(what)s。") % {"what": label},
            errors=[{"field": name, "message": _("不能为空。")}],
        )
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    if value > now + timedelta(minutes=1):
        raise InvalidInputError(
            _("%(what)s不能晚于当前时间。") % {"what": label},
            errors=[{"field": name, "message": _("不能晚于当前时间。")}],
        )
    return value


def _iso(value: datetime) -> str:
    return timezone.localtime(value).isoformat()


def _venues_not_ready(task: SupportTask) -> list[SupportTask]:
    return list(
        SupportTask.objects.filter(parent=task, kind=SupportTask.Kind.VENUE)
        .exclude(state__in=READY_STATES)
        .select_related("venue")
        .order_by("org_unit__code", "id")
    )


def _completion_details(
    task: SupportTask,
    *,
    now: datetime,
    note: str,
    channel_opened_at: datetime | None,
    signal_monitored_until: datetime | None,
    signal_ok: bool | None,
    trunk_checked_at: datetime | None,
    trunk_ok: bool | None,
) -> dict:
    """What each department records when it completes (validated), or a refusal."""
    if task.role == Role.BROADCAST:
        opened = _when(channel_opened_at, "channel_opened_at", _("灾备高清频道开启时间"), now)
        until = _when(signal_monitored_until, "signal_monitored_until", _("信号监控结束时间"), now)
        if until < opened:
            raise InvalidInputError(
                _("信号监控结束时间不能早于频道开启时间。"),
                errors=[{"field": "signal_monitored_until", "message": _("早于开启时间。")}],
            )
        ok = signal_ok is not False
        if not ok and not note:
            raise InvalidInputError(
                _("信号异常时请在说明中写明情况。"),
                errors=[{"field": "note", "message": _("不能为空。")}],
            )
        return {
            "channel_opened_at": _iso(opened),
            "signal_monitored_until": _iso(until),
            "signal_ok": ok,
        }
    if task.role == Role.NETWORK_OPS:
        checked = _when(trunk_checked_at, "trunk_checked_at", _("干线巡检时间"), now)
        if trunk_ok is None:
            raise InvalidInputError(
                _("请选择干线巡检结果。"),
                errors=[{"field": "trunk_ok", "message": _("不能为空。")}],
            )
        if not trunk_ok and not note:
            raise InvalidInputError(
                _("干线异常时请在说明中写明情况。"),
                errors=[{"field": "note", "message": _("不能为空。")}],
            )
        return {"trunk_checked_at": _iso(checked), "trunk_ok": bool(trunk_ok)}
    if task.role == Role.TECH_MAINTENANCE:
        waiting = _venues_not_ready(task)
        if waiting:
            raise ConflictError(
                _("还有 %(n)s 个乡镇会场未就绪，不能确认“全部乡镇就绪”。") % {"n": len(waiting)},
                code="townships_not_ready",
                errors=[
                    {
                        "task": t.pk,
                        "venue": t.venue.name if t.venue else "",
                        "state": t.state,
                        "message": _("%(venue)s：%(state)s")
                        % {
                            "venue": t.venue.name if t.venue else "",
                            "state": t.get_state_display(),
                        },
                    }
                    for t in waiting
                ],
            )
        ready = SupportTask.objects.filter(parent=task, kind=SupportTask.Kind.VENUE).count()
        return {"all_townships_ready": True, "venues": ready}
    raise ConflictError(
        _("该跟踪任务在其下全部任务完成后自动完成，无需手工完成。"), code="completes_itself"
    )


@transaction.atomic
def coordination_task_complete(
    task: SupportTask,
    *,
    by: UserLike,
    note: str = "",
    channel_opened_at: datetime | None = None,
    signal_monitored_until: datetime | None = None,
    signal_ok: bool | None = True,
    trunk_checked_at: datetime | None = None,
    trunk_ok: bool | None = None,
) -> SupportTask:
    """A department completes its coordination task with its own record: the broadcast centre the
    disaster-recovery HD channel's opening and the end of signal monitoring, network operations
    the trunk check, a county's technical maintenance "all townships ready" (refused while a
    venue below it is not ready). A customer department's tracking completes by itself. A venue
    task is refused (409): it completes through its checklist."""
    _check_can_complete(task, by)
    task = SupportTask.objects.select_for_update(of=("self",)).get(pk=task.pk)
    if task.kind != SupportTask.Kind.COORDINATION:
        raise ConflictError(
            _("会场保障任务通过现场检查(关机)完成，不能在此完成。"), code="venue_task"
        )
    if task.state in SupportTask.CLOSED_STATES:
        raise ConflictError(
            _("该任务已是“%(state)s”状态。") % {"state": task.get_state_display()},
            code="already_closed",
        )
    note = (note or "").strip()[:1000]
    now = clock.now()
    details = _completion_details(
        task,
        now=now,
        note=note,
        channel_opened_at=channel_opened_at,
        signal_monitored_until=signal_monitored_until,
        signal_ok=signal_ok,
        trunk_checked_at=trunk_checked_at,
        trunk_ok=trunk_ok,
    )
    locked = tasks_for_move(SupportTask.objects.filter(pk=task.pk))
    TaskCompletion.objects.create(
        task=task, note=note, details=details, completed_at=now, completed_by=actor(by)
    )
    support_tasks_complete(locked, at=now, by=by, note=note[:500])
    audit_record(actor=by, action="task.complete", obj=task, changes={"note": note, **details})
    task.refresh_from_db()
    return task


def coordination_rollup(meeting_ids: Iterable[int], *, at: datetime) -> int:
    """Complete every open tracking task (customer departments, O&M) whose whole subtree is done
    or cancelled. One read of the meetings' task tree; the moves go through the door. Returns how
    many completed."""
    rows = list(
        SupportTask.objects.filter(meeting_id__in=list(meeting_ids)).values_list(
            "id", "parent_id", "state", "role"
        )
    )
    children: dict[int, list[int]] = defaultdict(list)
    info: dict[int, tuple[str, str]] = {}
    for pk, parent_id, state, role in rows:
        info[pk] = (state, role)
        if parent_id is not None:
            children[parent_id].append(pk)
    memo: dict[int, bool] = {}

    def settled(pk: int) -> bool:
        """Done or cancelled already, or a tracking task that will complete now."""
        if pk not in memo:
            state, role = info[pk]
            if state in SupportTask.CLOSED_STATES:
                memo[pk] = True
            elif role in ROLLUP_ROLES and children.get(pk):
                memo[pk] = all(settled(c) for c in children[pk])
            else:
                memo[pk] = False
        return memo[pk]

    due = [
        pk
        for pk, (state, role) in info.items()
        if role in ROLLUP_ROLES and state not in SupportTask.CLOSED_STATES and settled(pk)
    ]
    if not due:
        return 0
    with transaction.atomic():
        locked = tasks_for_move(
            SupportTask.objects.filter(pk__in=due).exclude(state__in=SupportTask.CLOSED_STATES)
        )
        if not locked:
            return 0
        counts = {pk: _subtree_size(pk, children) for pk in due}
        TaskCompletion.objects.bulk_create(
            [
                TaskCompletion(
                    task_id=t.pk,
                    details={"rollup": True, "tasks": counts.get(t.pk, 0)},
                    completed_at=at,
                )
                for t in locked
            ],
            ignore_conflicts=True,
        )
        return len({m.task.pk for m in support_tasks_complete(locked, at=at, note="rollup")})


def _subtree_size(pk: int, children: dict[int, list[int]]) -> int:
    return sum(1 + _subtree_size(c, children) for c in children.get(pk, []))

"""The one write path for a support task's state (STYLE: one door per state change).

Every move of a task, one or a thousand at a time, goes through `support_tasks_move`: it checks
`ALLOWED_TRANSITIONS`, keeps `state_before_fault`, stamps `acknowledged_at`/`ready_at`/`done_at`,
writes one TaskTransition per move with who and when, and sends `support_tasks_changed` once per
batch. Its cost does not grow with the batch: one INSERT of the transitions and one UPDATE per
(final state, kept fault state, stamps) group. `make lint` (scripts/check_doors.py) fails when
another module writes a task's state or creates transition rows."""

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import F, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from vcassure.accounts.types import UserLike
from vcassure.accounts.types import actor as _actor
from vcassure.core import clock
from vcassure.core.bulk import bulk_insert
from vcassure.core.errors import ConflictError
from vcassure.core.subjects import task_ref
from vcassure.meetings.models import SupportTask, TaskTransition
from vcassure.meetings.services._common import check_role
from vcassure.meetings.signals import support_tasks_changed
from vcassure.notifications.services import notifications_acknowledge

if TYPE_CHECKING:
    from django.db.models import QuerySet


State = SupportTask.State
# The time a task first reached a state, kept on the task for the dashboard and the reports.
STAMPS = {State.ACKNOWLEDGED: "acknowledged_at", State.READY: "ready_at", State.DONE: "done_at"}
# What a caller must have read (under lock) for the door to move a task without reading it again.
MOVE_FIELDS = ("id", "state", "meeting_id", "state_before_fault", "updated_at")


@dataclass(frozen=True)
class TaskMove:
    """One move of one task. `task` was read by the caller inside its transaction, locked."""

    task: SupportTask
    to: str
    at: datetime
    by: "UserLike | None" = None
    note: str = ""


@dataclass(frozen=True)
class TaskChange:
    """What `support_tasks_changed` carries for each move."""

    task_id: int
    meeting_id: int
    from_state: str
    to_state: str
    at: datetime


def support_tasks_move(moves: Sequence[TaskMove], *, strict: bool = True) -> list[TaskMove]:
    """Apply the moves in order (a task may move twice: acknowledged then on site). A move the
    state machine refuses raises ConflictError when `strict`, else is skipped (a bulk move of tasks
    that may have moved on). Returns the moves applied; the tasks in memory are updated too."""
    if not moves:
        return []
    applied: list[TaskMove] = []
    transitions: list[TaskTransition] = []
    changes: list[TaskChange] = []
    touched: dict[int, SupportTask] = {}
    stamped: dict[int, dict[str, datetime]] = defaultdict(dict)
    kept_fault_state: dict[int, str] = {}
    for move in moves:
        task = touched.get(move.task.pk, move.task)
        from_state = task.state
        if move.to not in SupportTask.ALLOWED_TRANSITIONS[from_state]:
            if strict:
                task.transition_to(move.to)  # raises the user-facing ConflictError
            continue
        task.transition_to(move.to)
        if move.to == State.FAULTY:
            task.state_before_fault = from_state
            kept_fault_state[task.pk] = from_state
        stamp = STAMPS.get(State(move.to))
        if stamp is not None and getattr(task, stamp, None) is None:
            setattr(task, stamp, move.at)
            stamped[task.pk][stamp] = move.at
        touched[task.pk] = task
        applied.append(move)
        transitions.append(
            TaskTransition(
                task_id=task.pk,
                meeting_id=task.meeting_id,
                from_state=from_state,
                to_state=move.to,
                at=move.at,
                actor=_actor(move.by),
                note=move.note[:500],
            )
        )
        changes.append(TaskChange(task.pk, task.meeting_id, from_state, move.to, move.at))
    if not applied:
        return []
    now = clock.now()
    with transaction.atomic(savepoint=False):
        bulk_insert(transitions)
        groups: dict[tuple, list[int]] = defaultdict(list)
        for pk, task in touched.items():
            key = (task.state, kept_fault_state.get(pk), tuple(sorted(stamped[pk])))
            groups[key].append(pk)
        for (state, fault_state, stamps), ids in groups.items():
            values: dict = {"state": state, "updated_at": now}
            if fault_state is not None:
                values["state_before_fault"] = fault_state
            for field in stamps:
                values[field] = _stamp_value(field, [stamped[pk][field] for pk in ids])
            SupportTask.objects.filter(pk__in=ids).update(**values)
        for task in touched.values():
            task.updated_at = now
        support_tasks_changed.send(sender=SupportTask, changes=changes)
    return applied


def _stamp_value(field: str, times: list[datetime]):
    """Keep a time already set; else the one time of the group, or, when the tasks moved at
    different times (a batch of acknowledgements), each task's own from its transition."""
    if len(set(times)) == 1:
        return Coalesce(F(field), Value(times[0]))
    to_state = next(state for state, stamp in STAMPS.items() if stamp == field)
    latest = (
        TaskTransition.objects.filter(task_id=OuterRef("pk"), to_state=to_state)
        .order_by("-id")
        .values("at")[:1]
    )
    return Coalesce(F(field), Subquery(latest))


def support_tasks_transition(
    tasks: Iterable[SupportTask],
    *,
    to: str,
    by: "UserLike | None" = None,
    at: datetime | None = None,
    note: str = "",
) -> list[TaskMove]:
    """A bulk move of locked tasks to one state; those that may not move there are left alone."""
    at = at or clock.now()
    return support_tasks_move(
        [TaskMove(task=t, to=to, at=at, by=by, note=note) for t in tasks], strict=False
    )


@transaction.atomic
def support_task_transition(
    task: SupportTask, *, by: "UserLike | None", to_state: str, note: str = ""
) -> SupportTask:
    """Move one task (locked here), or refuse with the state machine's message."""
    task = SupportTask.objects.select_for_update(of=("self",)).get(pk=task.pk)
    support_tasks_move([TaskMove(task=task, to=to_state, at=clock.now(), by=by, note=note)])
    return task


def support_tasks_complete(
    tasks: Sequence[SupportTask], *, at: datetime, by: "UserLike | None" = None, note: str = ""
) -> list[TaskMove]:
    """Coordination tasks done (locked by the caller): a task not yet acknowledged is acknowledged
    at the same moment first (completing is the strongest answer). Tasks that cannot move to done
    are left alone; returns the moves applied."""
    moves: list[TaskMove] = []
    for task in tasks:
        if task.state in (State.PENDING, State.NOTIFIED):
            moves.append(TaskMove(task=task, to=State.ACKNOWLEDGED, at=at, by=by, note=note))
        moves.append(TaskMove(task=task, to=State.DONE, at=at, by=by, note=note))
    return support_tasks_move(moves, strict=False)


def support_tasks_created(
    tasks: Sequence[SupportTask], *, by: "UserLike | None", at: datetime
) -> None:
    """The first transition ("" → pending) of tasks just inserted: one INSERT."""
    actor = _actor(by)
    bulk_insert(
        [
            TaskTransition(
                task_id=t.pk,
                meeting_id=t.meeting_id,
                from_state="",
                to_state=t.state,
                at=at,
                actor=actor,
            )
            for t in tasks
        ]
    )


def tasks_for_move(queryset: "QuerySet[SupportTask]") -> list[SupportTask]:
    """The tasks of `queryset`, locked and with what the door needs, for a move in this
    transaction: one SELECT however many."""
    fields = (*MOVE_FIELDS, "assignee_id", *STAMPS.values())
    return list(queryset.select_for_update(of=("self",)).only(*fields).order_by("pk"))


def _locked(ids: Iterable[int], *, states: Sequence[str]) -> list[SupportTask]:
    return tasks_for_move(SupportTask.objects.filter(pk__in=set(ids), state__in=states))


@dataclass(frozen=True)
class TaskAck:
    """An acknowledgement of a task: by its assignee (assignee_id set: only if still theirs)."""

    task_id: int
    at: datetime
    via: str = ""
    by: "UserLike | None" = None
    assignee_id: int | None = None


def support_tasks_acknowledge(items: list[TaskAck]) -> int:
    """Tasks acknowledged (link, page or API), many at once: each pending or notified task moves to
    acknowledged once; a task that moved on, or (with assignee_id) is no longer that person's, is
    left alone. One locked read, one INSERT, one UPDATE. Returns how many moved."""
    # No savepoint: callers run it inside their own transaction, and any error here aborts theirs.
    with transaction.atomic(savepoint=False):
        open_tasks = {
            t.pk: t
            for t in _locked({i.task_id for i in items}, states=[State.PENDING, State.NOTIFIED])
        }
        moves = []
        for item in items:
            task = open_tasks.pop(item.task_id, None)  # a task moves once
            if task is None:
                continue
            if item.assignee_id is not None and task.assignee_id != item.assignee_id:
                open_tasks[item.task_id] = task
                continue
            moves.append(
                TaskMove(task=task, to=State.ACKNOWLEDGED, at=item.at, by=item.by, note=item.via)
            )
        return len(support_tasks_move(moves, strict=False))


def support_task_acknowledge(
    task: SupportTask | int,
    *,
    by: "UserLike | None" = None,
    via: str = "",
    at: datetime | None = None,
    assignee_id: int | None = None,
) -> bool:
    """The assignee acknowledged the task. Idempotent: False if it already was, or has moved on,
    or (with `assignee_id`) the task is no longer that person's."""
    task_id = task if isinstance(task, int) else task.pk
    item = TaskAck(task_id=task_id, at=at or clock.now(), via=via, by=by, assignee_id=assignee_id)
    return bool(support_tasks_acknowledge([item]))


@dataclass(frozen=True)
class TaskNotified:
    """The first notice about a task reached someone: its assignee's moves the task to notified."""

    task_id: int
    recipient_id: int
    channel: str
    at: datetime


def support_tasks_mark_notified(items: Sequence[TaskNotified]) -> int:
    """First notices reached their recipients (a batch of the sender's outcomes): each pending
    task whose assignee it was moves to notified, once. One locked read, one INSERT, one UPDATE
    however many. Returns how many moved."""
    if not items:
        return 0
    with transaction.atomic(savepoint=False):
        pending = {t.pk: t for t in _locked({i.task_id for i in items}, states=[State.PENDING])}
        moves = []
        for item in items:
            task = pending.get(item.task_id)
            if task is None or task.assignee_id != item.recipient_id:
                continue
            del pending[item.task_id]  # a task moves once
            moves.append(TaskMove(task=task, to=State.NOTIFIED, at=item.at, note=item.channel))
        return len(support_tasks_move(moves, strict=False))


def support_task_mark_notified(
    task_id: int, *, recipient_id: int, channel: str, at: datetime | None = None
) -> bool:
    """The first notice reached the task's assignee: pending → notified (no-op otherwise)."""
    item = TaskNotified(task_id, recipient_id, channel, at or clock.now())
    return bool(support_tasks_mark_notified([item]))


def task_acknowledge(task: SupportTask, *, by: UserLike, via: str) -> bool:
    """Acknowledge a task from a page or the API: by its assignee, or on their behalf by someone
    who manages meetings in its scope (after a phone call, say). Idempotent."""
    staff = getattr(by, "staff_profile", None)
    is_assignee = staff is not None and task.assignee_id == staff.pk
    if not is_assignee:
        if not SupportTask.objects.visible_to(by).filter(pk=task.pk).exists():
            raise SupportTask.DoesNotExist
        check_role(by)
    if task.assignee_id is None:
        raise ConflictError(_("该任务尚未落实保障人员，无法确认。"), code="unassigned")
    if task.state == State.CANCELLED:
        raise ConflictError(_("该任务已取消，无需确认。"), code="cancelled")
    with transaction.atomic():
        # The notice's acknowledgement moves the task through the signal; the direct call covers a
        # task whose person was never sent a notice.
        noticed = notifications_acknowledge(
            recipient_id=task.assignee_id, subject=task_ref(task.pk), via=via, by=by
        )
        moved = support_task_acknowledge(
            task, by=by, via=via if is_assignee else f"{via}:on_behalf"
        )
        return noticed or moved

"""The one write path for a task's state (services/tasks.py): checks, transition rows, stamps,
the fault state kept, one signal per batch, and a cost that does not grow with the batch."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories.meetings import published_meeting
from vcassure.core import clock
from vcassure.core.errors import ConflictError
from vcassure.meetings import services
from vcassure.meetings.models import SupportTask, TaskTransition
from vcassure.meetings.services.tasks import (
    TaskMove,
    support_tasks_move,
    support_tasks_transition,
    tasks_for_move,
)
from vcassure.meetings.signals import support_tasks_changed

State = SupportTask.State


@pytest.fixture
def published(province, tomorrow):
    meeting = published_meeting(province, tomorrow, province.venues)
    return meeting


@pytest.fixture
def heard():
    calls = []

    def receiver(sender, *, changes, **kwargs):
        calls.append(changes)

    support_tasks_changed.connect(receiver, dispatch_uid="test.heard")
    yield calls
    support_tasks_changed.disconnect(dispatch_uid="test.heard")


def _venue_tasks(meeting):
    return SupportTask.objects.filter(meeting=meeting, kind="venue")


def test_bulk_move_costs_the_same_for_few_and_many(published, province):
    """Moving 2 tasks or all of them: the same number of statements."""
    user = province.user("province")
    counts = []
    for qs in (_venue_tasks(published)[:2], _venue_tasks(published)):
        ids = list(qs.values_list("pk", flat=True))
        with CaptureQueriesContext(connection) as ctx:
            tasks = tasks_for_move(SupportTask.objects.filter(pk__in=ids, state="pending"))
            moved = support_tasks_transition(tasks, to=State.ACKNOWLEDGED, by=user)
        assert moved, "some pending tasks should have moved"
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1]
    assert _venue_tasks(published).count() > 2


def test_every_move_is_recorded_with_who_when_and_stamped(published, province, heard):
    user = province.user("province")
    tasks = tasks_for_move(_venue_tasks(published))
    at = clock.now()
    moved = support_tasks_transition(tasks, to=State.ACKNOWLEDGED, by=user, at=at, note="电话确认")
    assert len(moved) == len(tasks)
    for task in _venue_tasks(published):
        assert task.state == State.ACKNOWLEDGED
        assert task.acknowledged_at == at
        last = task.transitions.order_by("-id").first()
        assert (last.from_state, last.to_state, last.actor, last.note) == (
            "pending",
            "acknowledged",
            user,
            "电话确认",
        )
    assert len(heard) == 1, "one signal for the whole batch"
    assert {c.task_id for c in heard[0]} == {t.pk for t in tasks}
    assert {(c.from_state, c.to_state, c.meeting_id) for c in heard[0]} == {
        ("pending", "acknowledged", published.pk)
    }


def test_a_refused_move_writes_nothing(published, province, heard):
    task = _venue_tasks(published).first()
    before = TaskTransition.objects.filter(task=task).count()
    with pytest.raises(ConflictError) as exc:
        services.support_task_transition(task, by=province.user("province"), to_state="done")
    assert "不能变为" in exc.value.message
    task.refresh_from_db()
    assert task.state == State.PENDING
    assert TaskTransition.objects.filter(task=task).count() == before
    assert heard == []


def test_bulk_move_leaves_tasks_that_may_not_move(published, province):
    first, second = tasks_for_move(_venue_tasks(published))[:2]
    services.support_task_transition(first, by=None, to_state="cancelled")
    tasks = tasks_for_move(SupportTask.objects.filter(pk__in=[first.pk, second.pk]))
    moved = support_tasks_transition(tasks, to=State.ACKNOWLEDGED)
    assert [m.task.pk for m in moved] == [second.pk]
    first.refresh_from_db()
    assert first.state == State.CANCELLED


def test_chained_moves_and_the_state_before_a_fault(published, province):
    """Acknowledged then on site in one batch; a fault keeps where the task was, and the way back
    returns there."""
    user = province.user("province")
    task = tasks_for_move(_venue_tasks(published))[0]
    now = clock.now()
    support_tasks_move(
        [
            TaskMove(task=task, to=State.ACKNOWLEDGED, at=now, by=user),
            TaskMove(task=task, to=State.ON_SITE, at=now, by=user),
            TaskMove(task=task, to=State.READY, at=now, by=user),
            TaskMove(task=task, to=State.FAULTY, at=now, by=user, note="光功率低"),
        ]
    )
    task.refresh_from_db()
    assert (task.state, task.state_before_fault) == (State.FAULTY, State.READY)
    assert task.ready_at == now and task.acknowledged_at == now
    steps = list(task.transitions.values_list("from_state", "to_state"))
    assert steps[-4:] == [
        ("pending", "acknowledged"),
        ("acknowledged", "on_site"),
        ("on_site", "ready"),
        ("ready", "faulty"),
    ]


def test_acknowledgements_at_different_times_each_keep_their_own(published):
    """A batch of link acknowledgements: each task's acknowledged_at is the time of its own."""
    tasks = list(_venue_tasks(published).exclude(assignee=None)[:3])
    base = clock.now()
    from datetime import timedelta

    items = [
        services.TaskAck(task_id=t.pk, at=base + timedelta(seconds=i), assignee_id=t.assignee_id)
        for i, t in enumerate(tasks)
    ]
    assert services.support_tasks_acknowledge(items) == 3
    for i, task in enumerate(tasks):
        task.refresh_from_db()
        assert task.acknowledged_at == base + timedelta(seconds=i)


def test_an_acknowledgement_by_someone_no_longer_assigned_moves_nothing(published):
    task = _venue_tasks(published).exclude(assignee=None).first()
    item = services.TaskAck(task_id=task.pk, at=clock.now(), assignee_id=task.assignee_id + 999)
    assert services.support_tasks_acknowledge([item]) == 0
    task.refresh_from_db()
    assert task.state == State.PENDING

"""Migrations that move data: rows written before them come out as the code now expects."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from tests.factories.meetings import published_meeting
from vcassure.meetings.models import SupportTask, TaskTransition


def _migrate(target: list[tuple[str, str]]) -> None:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(target)


@pytest.mark.django_db(transaction=True)
def test_moves_written_before_0010_get_their_tasks_meeting(province, tomorrow):
    """A platform upgraded with meetings already run: every move it recorded shows on its
    meeting's timeline after the upgrade (0010 copies each task's meeting onto its moves)."""
    first = published_meeting(province, tomorrow, province.venues)
    second = published_meeting(province, tomorrow, province.venues[:2])
    expected = dict(SupportTask.objects.values_list("pk", "meeting_id"))
    assert TaskTransition.objects.count() == len(expected) > 2
    try:
        _migrate([("meetings", "0009_joint_test_results")])  # the column is gone
        _migrate([("meetings", "0011_transition_meeting_required")])
    finally:
        _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
    moved = dict(TaskTransition.objects.values_list("task_id", "meeting_id"))
    assert moved == expected
    assert {first.pk, second.pk} == set(moved.values())

"""The dashboard's timeline: the meeting's events and the latest moves of the viewer's tasks."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import QuerySet

from vcassure.meetings.models import Meeting, SupportTask, TaskTransition
from vcassure.meetings.selectors.attention import STATE_BADGE

TIMELINE_LIMIT = 30


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

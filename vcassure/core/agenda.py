"""What a person is busy with, across sibling apps. Duty rosters must count a person's meeting
tasks and inspections, and the calendar feed lists them, yet meetings, routine and duty sit on one
layer and may not import each other. Each app that owns dated work registers a source here at
start-up (apps.ready), as with subject labellers; duty asks through `agenda_items`."""

from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class AgendaItem:
    """One stretch of work of one person: a meeting task from on-site to shutdown, an inspection."""

    staff_id: int
    kind: str  # "task", "inspection", ...
    uid: str  # stable across calls: the calendar event's UID
    starts_at: datetime
    ends_at: datetime
    title: str
    location: str = ""
    description: str = ""
    deadlines: tuple[tuple[str, datetime], ...] = field(default_factory=tuple)


# source(staff_ids or None for everyone, start, end) -> items overlapping [start, end)
AgendaSource = Callable[[Collection[int] | None, datetime, datetime], list[AgendaItem]]
_sources: dict[str, AgendaSource] = {}


def register_agenda_source(kind: str, source: AgendaSource) -> None:
    _sources[kind] = source


def agenda_items(
    staff_ids: Collection[int] | None, start: datetime, end: datetime
) -> list[AgendaItem]:
    """Every registered source's items for these people (None: everyone) overlapping the range;
    one call per source, each in a constant number of queries."""
    items: list[AgendaItem] = []
    for source in _sources.values():
        items.extend(source(staff_ids, start, end))
    return items

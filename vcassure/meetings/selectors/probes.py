"""Reads of a meeting's readiness probes: the latest result per device of the venues the user may
see, and the failing devices of a dashboard's venues."""

from datetime import datetime, timedelta

from django.db.models import Exists, OuterRef, QuerySet

from vcassure.accounts.types import UserLike
from vcassure.meetings.models import Meeting, SupportTask
from vcassure.probes import selectors as probe_selectors
from vcassure.probes.models import ProbeResult

# A probe older than this says nothing about today's meeting.
FRESH_FOR = timedelta(hours=3)


def meeting_probe_results(meeting: Meeting, *, user: UserLike) -> QuerySet[ProbeResult]:
    """The latest probe of each device of the meeting's venues in the user's scope."""
    venue_ids = (
        SupportTask.objects.visible_to(user)
        .filter(meeting=meeting, kind=SupportTask.Kind.VENUE, venue__isnull=False)
        .exclude(state=SupportTask.State.CANCELLED)
        .values("venue_id")
    )
    equipment = probe_selectors.probeable_equipment(venue_ids).values("id")
    return probe_selectors.latest_results(equipment)


def failing_since(now: datetime) -> datetime:
    return now - FRESH_FOR


def venue_machine_down(now: datetime) -> Exists:
    """For a venue task: does one of its venue's devices fail its latest (fresh) probe? One
    primary-key probe of the venues with a device down."""
    return Exists(
        probe_selectors.venues_down(since=failing_since(now)).filter(venue_id=OuterRef("venue_id"))
    )


def machine_reasons(venue_ids, *, now: datetime) -> dict[int, list[tuple[str, str]]]:
    """The failing devices of these venues, by venue: (kind, failure) of each, terminals first.
    One query, plain values."""
    out: dict[int, list[tuple[str, str]]] = {}
    rows = (
        probe_selectors.failing_status(since=failing_since(now))
        .filter(equipment__venue_id__in=venue_ids)
        .order_by("equipment__kind", "equipment_id")
        .values_list("equipment__venue_id", "equipment__kind", "failure")
    )
    for venue_id, kind, failure in rows:
        out.setdefault(venue_id, []).append((kind, failure))
    return out

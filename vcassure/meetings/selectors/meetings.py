"""Reads of meetings: lists, one meeting, conflicts, the branch-venue picker, the timeline."""

from datetime import datetime, timedelta

from django.db.models import Count, QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _

from vcassure.accounts.types import UserLike
from vcassure.core.subjects import SubjectLabel
from vcassure.meetings.dispatch import SHUTDOWN_GRACE, busy_window
from vcassure.meetings.models import (
    Meeting,
    MeetingEvent,
    MeetingVenue,
    SupportTask,
)
from vcassure.venues.models import Venue

LIVE_STATES = [Meeting.State.PUBLISHED, Meeting.State.IN_PROGRESS]


MAX_ON_SITE_LEAD = timedelta(minutes=120)


def meeting_list(
    *,
    user: UserLike,
    state: str = "",
    system: str = "",
    starts_from: datetime | None = None,
    starts_to: datetime | None = None,
    org_unit: int | None = None,
    q: str = "",
) -> QuerySet[Meeting]:
    qs = Meeting.objects.visible_to(user).select_related("system", "org_unit", "main_venue")
    if state:
        qs = qs.filter(state=state)
    if system:
        qs = qs.filter(system__code=system)
    if starts_from:
        qs = qs.filter(starts_at__gte=starts_from)
    if starts_to:
        qs = qs.filter(starts_at__lt=starts_to)
    if org_unit:
        qs = qs.in_visible_unit(user, org_unit)
    if q:
        qs = qs.filter(title__icontains=q)
    # The annotation drops Meta.ordering, so order explicitly.
    return qs.annotate(venue_count=Count("meeting_venues", distinct=True)).order_by(
        "-starts_at", "-id"
    )


MEETING_RELATED = ("system", "org_unit", "main_venue", "entered_by")


def meeting_get(*, user: UserLike, pk: int, related: tuple[str, ...] = MEETING_RELATED) -> Meeting:
    """A meeting the user may see (Meeting.DoesNotExist otherwise), with `related` joined: a page
    that shows only part of it (the dashboard's 5-second poll) joins only what it shows."""
    return Meeting.objects.visible_to(user).select_related(*related).get(pk=pk)


def meeting_venue_list(meeting: Meeting) -> QuerySet:
    return meeting.venues.select_related("org_unit", "primary_staff", "backup_staff").order_by(
        "org_unit__path", "code"
    )


def meeting_conflicts(meeting: Meeting, *, user: "UserLike | None" = None) -> dict[str, list[dict]]:
    """Venues and people this meeting needs that another live meeting overlapping in time needs too.
    The clash is the caller's business (their venue, their person); the other meeting may not be:
    with `user`, its id and title are hidden unless the user may see it."""
    conflicts = _meeting_conflicts(meeting)
    if user is not None:
        other_ids = {row["meeting"] for rows in conflicts.values() for row in rows}
        visible = set(
            Meeting.objects.visible_to(user).filter(pk__in=other_ids).values_list("pk", flat=True)
        )
        for rows in conflicts.values():
            for row in rows:
                if row["meeting"] not in visible:
                    row["meeting"], row["meeting_title"] = None, _("其他单位的会议")
    return conflicts


def _meeting_conflicts(meeting: Meeting) -> dict[str, list[dict]]:
    busy_from, busy_until = busy_window(meeting)
    # Pre-filter with the widest possible windows, then compare exact windows.
    overlapping = Meeting.objects.filter(
        state__in=[Meeting.State.DRAFT, *LIVE_STATES],
        starts_at__lt=busy_until + MAX_ON_SITE_LEAD,
        ends_at__gt=busy_from - SHUTDOWN_GRACE,
    ).exclude(pk=meeting.pk)
    others = [m for m in overlapping.select_related("system") if _overlaps(meeting, m)]
    if not others:
        return {"venues": [], "people": []}
    other_ids = {m.pk: m for m in others}
    my_venues = set(meeting.meeting_venues.values_list("venue_id", flat=True))
    if meeting.main_venue_id:
        my_venues.add(meeting.main_venue_id)
    venue_clash = (
        MeetingVenue.objects.filter(meeting_id__in=other_ids, venue_id__in=my_venues)
        .select_related("venue")
        .order_by("venue__code")
    )
    venues = [
        {
            "venue": mv.venue_id,
            "venue_name": mv.venue.name,
            "meeting": mv.meeting_id,
            "meeting_title": other_ids[mv.meeting_id].title,
        }
        for mv in venue_clash
    ]
    # People: the planned primary staff of my venues against people assigned (or planned) elsewhere.
    from vcassure.venues.models import Venue

    my_people = dict(
        Venue.objects.filter(pk__in=my_venues, primary_staff__isnull=False).values_list(
            "primary_staff_id", "primary_staff__name"
        )
    )
    assigned = SupportTask.objects.filter(
        meeting_id__in=other_ids, assignee_id__in=my_people
    ).exclude(state="cancelled")
    people_rows: set[tuple[int, int]] = {
        (t.assignee_id, t.meeting_id)
        for t in assigned.only("assignee_id", "meeting_id")
        if t.assignee_id is not None
    }
    drafts_people = Venue.objects.filter(
        pk__in=MeetingVenue.objects.filter(
            meeting_id__in=[m.pk for m in others if m.state == Meeting.State.DRAFT]
        ).values("venue_id"),
        primary_staff_id__in=my_people,
    ).values_list("primary_staff_id", "meetings")
    for staff_id, other_meeting in drafts_people:
        if staff_id is not None and other_meeting in other_ids:
            people_rows.add((staff_id, other_meeting))
    people = [
        {
            "staff": sid,
            "staff_name": my_people[sid],
            "meeting": mid,
            "meeting_title": other_ids[mid].title,
        }
        for sid, mid in sorted(people_rows)
    ]
    return {"venues": venues, "people": people}


def _overlaps(a: Meeting, b: Meeting) -> bool:
    a_from, a_until = busy_window(a)
    b_from, b_until = busy_window(b)
    return a_from < b_until and b_from < a_until


PREVIEW_LIMIT = 200


def venue_preview(ids: list[int], *, limit: int = PREVIEW_LIMIT) -> list[Venue]:
    """The first `limit` venues of a selection, for showing before saving: one query."""
    return list(
        Venue.objects.filter(pk__in=ids[:limit])
        .select_related("org_unit", "primary_staff")
        .order_by("org_unit__path", "code")
    )


def meeting_event_list(meeting: Meeting) -> QuerySet[MeetingEvent]:
    return meeting.events.select_related("actor").order_by("at", "id")


def meeting_can_change(*, user: UserLike, meeting: Meeting) -> bool:
    """Whether the user's subtree owns the meeting (services refuse the others with 403)."""
    return Meeting.objects.owned_by(user).filter(pk=meeting.pk).exists()


def meeting_venue_ids(meeting: Meeting) -> list[int]:
    return list(meeting.meeting_venues.order_by("id").values_list("venue_id", flat=True))


def meeting_labels(ids: set[int]) -> dict[int, SubjectLabel]:
    """How pages of lower apps name a meeting (core.subjects): its title, linking to it."""
    return {
        pk: SubjectLabel(title, reverse("meetings:meeting_detail", args=[pk]))
        for pk, title in Meeting.objects.filter(pk__in=ids).values_list("pk", "title")
    }

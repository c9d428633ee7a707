"""Meetings through their services: a draft for some venues of a `province` tree, published with
any shortfalls confirmed, and the rows a published meeting leaves behind."""

from django.utils import timezone

from vcassure.meetings import services
from vcassure.meetings.models import Meeting, SupportTask
from vcassure.notifications.models import Notification


def make_meeting(
    tree,
    when,
    venues,
    *,
    user=None,
    importance="normal",
    notice_ref="水利〔2026〕12号",
    title="防汛会商",
    **kwargs,
) -> Meeting:
    """A draft water meeting over `when` (start, end) for `venues`, made by the province
    dispatcher unless `user` is given; other keywords go to meeting_create as they are."""
    start, end = when
    kwargs.setdefault("main_venue", tree.main_venue.pk)
    return services.meeting_create(
        by=user or tree.user("province"),
        system="water",
        title=title,
        starts_at=start,
        ends_at=end,
        importance=importance,
        notice_ref=notice_ref,
        venues=[v.pk for v in venues],
        **kwargs,
    )


def publish(tree, meeting: Meeting) -> Meeting:
    """Publish as the province dispatcher, confirming any staffing shortfall."""
    services.meeting_publish(meeting, by=tree.user("province"), confirm_shortfalls=True)
    return meeting


def published_meeting(tree, when, venues, **kwargs) -> Meeting:
    return publish(tree, make_meeting(tree, when, venues, **kwargs))


def venue_task(meeting: Meeting, venue) -> SupportTask:
    return SupportTask.objects.get(meeting=meeting, venue=venue)


def task_notice(task: SupportTask) -> Notification:
    """The personal notice that publishing sent the task's assignee."""
    return Notification.objects.get(subject=f"task:{task.pk}", recipient=task.assignee)


def local(value) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%dT%H:%M")


def form_data(tree, when, **overrides) -> dict:
    start, end = when
    data = {
        "system": "water",
        "title": "防汛会商",
        "kind": "meeting",
        "importance": "normal",
        "starts_at": local(start),
        "ends_at": local(end),
        "notice_ref": "水利〔2026〕12号",
        "main_venue": tree.main_venue.pk,
        # What the venue picker posts: the chosen ids (here city 0's four township venues).
        "venues": venue_ids(tree.venues[:4]),
    }
    data.update(overrides)
    return data


def venue_ids(venues) -> str:
    return ",".join(str(v.pk) for v in venues)


def township_staff_user(tree):
    """The support user of the first township (the assignee of the first venue's task)."""
    from vcassure.accounts.models import Role

    return tree.user("township0", Role.SUPPORT)


def before_meeting(task):
    """The clock 90 minutes before the task's meeting starts (inside the on-site window)."""
    from datetime import timedelta

    import time_machine

    return time_machine.travel(task.meeting.starts_at - timedelta(minutes=90), tick=False)

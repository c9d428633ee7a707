"""A person's iCalendar feed (RFC 5545, built with the icalendar library): their shifts, their
meeting tasks (venue address and deadlines) and inspections, from a week back to 90 days ahead.
Times carry the Asia/Shanghai zone with its VTIMEZONE, so a phone shows them right anywhere."""

from datetime import timedelta

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _
from icalendar import Calendar, Event

from vcassure.core import clock
from vcassure.core.agenda import agenda_items
from vcassure.duty.models import CalendarFeed, Shift
from vcassure.duty.roster import local_zone
from vcassure.orgs.models import Staff

PAST = timedelta(days=7)
AHEAD = timedelta(days=90)


def feed_url(feed: CalendarFeed) -> str:
    return f"{settings.PUBLIC_BASE_URL}{reverse('duty:calendar_feed', args=[feed.token])}"


def feed_staff(token: str) -> Staff | None:
    """The active person whose feed this is; None for an old (reset) or unknown token, or a
    person who has been deactivated."""
    feed = (
        CalendarFeed.objects.filter(token=token, staff__is_active=True)
        .select_related("staff")
        .first()
    )
    return feed.staff if feed is not None else None


def calendar_ics(staff: Staff) -> bytes:
    zone = local_zone()
    now = clock.now()
    start, end = now - PAST, now + AHEAD
    cal = Calendar()
    cal.add("prodid", "-//VC Assure//duty//ZH")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", _("%(name)s 的值班与保障任务") % {"name": staff.name})
    cal.add("x-wr-timezone", settings.TIME_ZONE)
    host = settings.PUBLIC_BASE_URL.split("://", 1)[-1].split("/", 1)[0] or "vcassure"
    shifts = (
        Shift.objects.filter(assignee=staff, ends_at__gt=start, starts_at__lt=end)
        .select_related("venue", "period")
        .order_by("starts_at")
    )
    for shift in shifts:
        event = Event()
        event.add("uid", f"shift-{shift.pk}@{host}")
        event.add("dtstamp", now)
        event.add("dtstart", shift.starts_at.astimezone(zone))
        event.add("dtend", shift.ends_at.astimezone(zone))
        event.add("summary", _("值班：%(venue)s") % {"venue": shift.venue.name})
        address = " ".join(x for x in (shift.venue.address, shift.venue.room) if x)
        if address:
            event.add("location", address)
        event.add("description", shift.period.name)
        event.add("categories", [_("值班")])
        cal.add_component(event)
    for item in sorted(agenda_items({staff.pk}, start, end), key=lambda i: i.starts_at):
        event = Event()
        event.add("uid", f"{item.uid}@{host}")
        event.add("dtstamp", now)
        event.add("dtstart", item.starts_at.astimezone(zone))
        event.add("dtend", item.ends_at.astimezone(zone))
        event.add("summary", item.title)
        if item.location:
            event.add("location", item.location)
        lines = [item.description] if item.description else []
        lines += [f"{label}：{due.astimezone(zone):%m-%d %H:%M}" for label, due in item.deadlines]
        if lines:
            event.add("description", "\n".join(lines))
        event.add("categories", [_("会议保障") if item.kind == "task" else _("巡检")])
        cal.add_component(event)
    cal.add_missing_timezones()
    return cal.to_ical()

"""The personal iCalendar feed: parses with icalendar, carries the person's shifts and meeting
tasks (venue address, deadlines) in Asia/Shanghai, and 404s after a reset or deactivation."""

from zoneinfo import ZoneInfo

from icalendar import Calendar

from tests.factories.duty import make_period
from tests.factories.meetings import make_meeting, publish, venue_task
from vcassure.duty import services
from vcassure.duty.models import Shift
from vcassure.venues.models import Venue

SH = ZoneInfo("Asia/Shanghai")


def feed_path(client, staff):
    url = client.get(f"/api/staff/{staff.pk}").json()["calendar_url"]
    return url[url.index("/duty/") :]


def test_the_feed_has_shifts_and_meeting_tasks_in_shanghai_time(
    province, api_client_for, client, tomorrow
):
    venue = province.venues[0]
    Venue.objects.filter(pk=venue.pk).update(address="乐桥乡政府三楼", room="会商室")
    person = venue.primary_staff
    meeting = publish(province, make_meeting(province, tomorrow, province.venues[:1]))
    task = venue_task(meeting, venue)
    assert task.assignee_id == person.pk
    make_period(province.user("province"), [venue], days=2)
    own_shifts = list(Shift.objects.filter(assignee=person).order_by("starts_at"))
    assert own_shifts

    path = feed_path(api_client_for(person.user), person)
    response = client.get(path)  # no login: the secret address is the credential
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    cal = Calendar.from_ical(response.content)
    events = cal.walk("VEVENT")
    uids = {str(e["UID"]).split("@")[0] for e in events}
    assert {f"shift-{s.pk}" for s in own_shifts} <= uids
    assert f"task-{task.pk}" in uids
    shift_event = next(e for e in events if str(e["UID"]).startswith(f"shift-{own_shifts[0].pk}@"))
    start = shift_event.decoded("DTSTART")
    assert start == own_shifts[0].starts_at
    assert str(start.tzinfo) == "Asia/Shanghai"
    assert shift_event["DTSTART"].params["TZID"] == "Asia/Shanghai"
    assert "乐桥乡政府三楼" in str(shift_event["LOCATION"])
    task_event = next(e for e in events if str(e["UID"]).startswith(f"task-{task.pk}@"))
    assert "乐桥乡政府三楼" in str(task_event["LOCATION"])
    assert "到场时限" in str(task_event["DESCRIPTION"])
    assert task_event.decoded("DTSTART") == task.busy_from
    assert [tz["TZID"] for tz in cal.walk("VTIMEZONE")] == ["Asia/Shanghai"]
    # Nobody else's shifts.
    others = Shift.objects.exclude(assignee=person).exclude(assignee__isnull=True)
    assert not {f"shift-{s.pk}" for s in others} & uids


def test_reset_gives_a_new_address_and_the_old_one_is_404(province, api_client_for, client):
    person = province.venues[0].primary_staff
    old = feed_path(api_client_for(person.user), person)
    assert client.get(old).status_code == 200
    services.calendar_feed_reset(person, by=person.user)
    assert client.get(old).status_code == 404
    new = feed_path(api_client_for(person.user), person)
    assert new != old and client.get(new).status_code == 200


def test_reset_from_the_page(province, client):
    person = province.venues[0].primary_staff
    client.force_login(person.user)
    page = client.get("/duty/calendar/")
    assert page.status_code == 200
    old = page.context["url"]
    client.post("/duty/calendar/reset/")
    assert client.get("/duty/calendar/").context["url"] != old
    assert client.get(old[old.index("/duty/") :]).status_code == 404


def test_a_deactivated_person_has_no_feed(province, api_client_for, client):
    person = province.venues[0].primary_staff
    path = feed_path(api_client_for(person.user), person)
    person.is_active = False
    person.save(update_fields=["is_active"])
    assert client.get(path).status_code == 404
    assert client.get("/duty/calendar/not-a-token.ics").status_code == 404


def test_the_feed_lists_the_persons_inspections(province, api_client_for, client):
    """Routine registers inspections as an agenda source: the feed shows each of the person's
    inspections as the hour before its due time, at the venue, with the due time."""
    from datetime import timedelta

    from tests.factories.routine import inspections_on
    from vcassure.core import clock

    venue = province.venues[0]
    Venue.objects.filter(pk=venue.pk).update(address="乐桥乡政府三楼")
    day = clock.localnow().date() + timedelta(days=1)
    inspection = next(i for i in inspections_on(province, day) if i.venue_id == venue.pk)
    person = inspection.assignee
    assert person is not None

    cal = Calendar.from_ical(client.get(feed_path(api_client_for(person.user), person)).content)
    event = next(
        e for e in cal.walk("VEVENT") if str(e["UID"]).startswith(f"inspection-{inspection.pk}@")
    )
    assert event.decoded("DTEND") == inspection.due_at
    assert event.decoded("DTSTART") == inspection.due_at - timedelta(hours=1)
    assert venue.name in str(event["SUMMARY"]) and "巡检" in str(event["SUMMARY"])
    assert "乐桥乡政府三楼" in str(event["LOCATION"])
    assert "巡检完成时限" in str(event["DESCRIPTION"])

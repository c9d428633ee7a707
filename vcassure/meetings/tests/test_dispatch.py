from collections import Counter
from datetime import timedelta

import pytest

from tests.factories.meetings import make_meeting, published_meeting, venue_task
from vcassure.core.errors import ConflictError, InvalidInputError
from vcassure.meetings import services
from vcassure.meetings.models import Meeting, MeetingEvent, SupportTask, TaskTransition
from vcassure.orgs.models import Staff


def test_chain_shape_two_cities_three_counties(province, tomorrow):
    tree = province
    # townships 0-3 lie in counties 0 and 1 (city 0); township 4 in county 2 (city 1).
    meeting = make_meeting(tree, tomorrow, tree.venues[:5])
    meeting, plan = services.meeting_publish(meeting, by=tree.user("province"))
    tasks = list(
        SupportTask.objects.filter(meeting=meeting).select_related(
            "department", "org_unit", "parent"
        )
    )
    shape = Counter((t.role, t.org_unit.level) for t in tasks)
    assert shape == {
        ("publish", "province"): 1,
        ("ops", "province"): 1,
        ("broadcast", "province"): 1,
        ("main_venue", "province"): 1,
        ("customer", "city"): 2,
        ("network_ops", "city"): 2,
        ("customer", "county"): 3,
        ("tech_maintenance", "county"): 3,
        ("branch_venue", "township"): 5,
    }
    by_role = {(t.role, t.org_unit_id): t for t in tasks}
    root = by_role[("publish", tree.province.pk)]
    assert root.parent is None and root.department.kind == "customer"
    # Dual track: the province customer dept publishes to O&M and to both city customer depts at once.
    assert by_role[("ops", tree.province.pk)].parent == root
    for city in tree.cities:
        assert by_role[("customer", city.pk)].parent == root
        assert by_role[("network_ops", city.pk)].parent == by_role[("customer", city.pk)]
    for county in tree.counties[:3]:
        county_customer = by_role[("customer", county.pk)]
        assert county_customer.parent == by_role[("customer", county.parent_id)]
        assert by_role[("tech_maintenance", county.pk)].parent == county_customer
    for venue in tree.venues[:5]:
        task = next(t for t in tasks if t.venue_id == venue.pk)
        county_id = venue.org_unit.parent_id
        assert task.parent == by_role[("tech_maintenance", county_id)]
        assert task.assignee == venue.primary_staff and task.assignment == "primary"
    assert ("customer", tree.counties[3].pk) not in by_role  # a county with no venue gets nothing
    assert meeting.state == "published"
    assert TaskTransition.objects.filter(task__meeting=meeting, to_state="pending").count() == len(
        tasks
    )
    assert MeetingEvent.objects.filter(meeting=meeting, kind="published").exists()


@pytest.mark.parametrize("importance,lead", [("normal", 60), ("important", 120), ("special", 120)])
def test_r10_deadlines(province, tomorrow, importance, lead):
    meeting = make_meeting(province, tomorrow, province.venues[:1], importance=importance)
    services.meeting_publish(meeting, by=province.user("province"))
    task = venue_task(meeting, province.venues[0])
    start, end = tomorrow
    assert task.on_site_due_at == start - timedelta(minutes=lead)
    assert task.ready_due_at == start - timedelta(minutes=30)
    assert task.shutdown_due_at == end + timedelta(minutes=30)


def test_assignment_falls_back_primary_backup_emergency_then_shortfall(province, tomorrow):
    tree = province
    venues = tree.venues[:2]  # both in county 0
    county = tree.counties[0]
    venues[0].primary_staff.is_active = False  # absent → backup
    venues[0].primary_staff.save()
    venues[1].primary_staff = None  # none, and its backup is taken by venue 0 → emergency pool
    venues[1].save()
    meeting = make_meeting(tree, tomorrow, venues)
    plan = services.meeting_plan(meeting)
    by_venue = {t.venue_id: t for t in plan.tasks if t.kind == "venue" and t.role == "branch_venue"}
    assert by_venue[venues[0].pk].assignment == "backup"
    assert by_venue[venues[0].pk].assignee_id == tree.county_regulars[county.pk][0].pk
    assert by_venue[venues[1].pk].assignment == "emergency"
    assert Staff.objects.get(pk=by_venue[venues[1].pk].assignee_id).is_emergency_mobile

    # With the emergency pool gone, the venue is unassigned and reported as a shortfall.
    Staff.objects.filter(org_unit__in=[county, county.parent], is_emergency_mobile=True).update(
        is_active=False
    )
    plan = services.meeting_plan(meeting)
    unassigned = [s for s in plan.shortfalls if s["kind"] == "unassigned_venue"]
    assert [s["venue"] for s in unassigned] == [venues[1].pk]


def test_person_committed_to_overlapping_meeting_falls_back(province, tomorrow):
    tree = province
    first = make_meeting(tree, tomorrow, tree.venues[:1], title="第一场")
    services.meeting_publish(first, by=tree.user("province"))
    start, end = tomorrow
    second = make_meeting(
        tree,
        (start + timedelta(hours=1), end + timedelta(hours=1)),
        tree.venues[:1],
        title="第二场",
    )
    plan = services.meeting_plan(second)
    task = next(t for t in plan.tasks if t.venue_id == tree.venues[0].pk)
    assert task.assignment == "backup"
    # And the page shows the conflict before publishing.
    from vcassure.meetings.selectors import meeting_conflicts

    conflicts = meeting_conflicts(second)
    assert [c["venue"] for c in conflicts["venues"]] == [tree.venues[0].pk]
    assert tree.venues[0].primary_staff_id in {p["staff"] for p in conflicts["people"]}


def test_no_conflict_when_meetings_do_not_overlap(province, tomorrow):
    from vcassure.meetings.selectors import meeting_conflicts

    tree = province
    first = make_meeting(tree, tomorrow, tree.venues[:1])
    services.meeting_publish(first, by=tree.user("province"))
    start, end = tomorrow
    later = make_meeting(
        tree, (start + timedelta(hours=6), end + timedelta(hours=6)), tree.venues[:1]
    )
    assert meeting_conflicts(later) == {"venues": [], "people": []}
    assert (
        next(
            t for t in services.meeting_plan(later).tasks if t.venue_id == tree.venues[0].pk
        ).assignment
        == "primary"
    )


def test_shortfalls_need_confirmation_and_stay_visible(province, tomorrow):
    tree = province
    county = tree.counties[0]
    Staff.objects.filter(org_unit=county, is_emergency_mobile=True).first().delete()  # R5: 3 → 2
    meeting = make_meeting(tree, tomorrow, tree.venues[:1])
    with pytest.raises(ConflictError) as refused:
        services.meeting_publish(meeting, by=tree.user("province"))
    assert refused.value.code == "shortfalls"
    kinds = {(s["kind"], s["org_unit"]) for s in refused.value.errors}
    assert ("staffing_rule", county.pk) in kinds
    assert not SupportTask.objects.filter(meeting=meeting).exists()
    meeting.refresh_from_db()
    assert meeting.state == "draft"
    meeting, _plan = services.meeting_publish(
        meeting, by=tree.user("province"), confirm_shortfalls=True
    )
    assert meeting.state == "published" and any(
        s["org_unit"] == county.pk for s in meeting.shortfalls
    )


def test_emergency_capacity_counts_simultaneous_meetings(province, tomorrow):
    tree = province
    start, end = tomorrow
    for i in range(3):
        published_meeting(
            tree, (start + timedelta(minutes=i), end), tree.venues[:1], title=f"会{i}"
        )
    fourth = make_meeting(tree, tomorrow, tree.venues[1:2], title="第四场")
    capacity = [
        s for s in services.meeting_plan(fourth).shortfalls if s["kind"] == "emergency_capacity"
    ]
    assert [(s["org_unit"], s["required"], s["actual"]) for s in capacity] == [
        (tree.counties[0].pk, 4, 3)
    ]


def test_publish_requires_formal_notice(province, tomorrow):
    meeting = make_meeting(province, tomorrow, province.venues[:1], notice_ref="")
    with pytest.raises(InvalidInputError) as refused:
        services.meeting_publish(meeting, by=province.user("province"))
    assert refused.value.code == "notice_required"
    assert not SupportTask.objects.filter(meeting=meeting).exists()


def test_publishing_twice_is_refused(province, tomorrow):
    meeting = make_meeting(province, tomorrow, province.venues[:1])
    services.meeting_publish(meeting, by=province.user("province"))
    with pytest.raises(ConflictError):
        services.meeting_publish(meeting, by=province.user("province"))
    assert SupportTask.objects.filter(meeting=meeting, kind="venue").count() == 2  # main + 1 branch


def test_reschedule_moves_every_deadline_and_records_change(province, tomorrow):
    meeting = make_meeting(province, tomorrow, province.venues[:3])
    services.meeting_publish(meeting, by=province.user("province"))
    start, end = tomorrow
    new_start, new_end = start + timedelta(days=1, hours=1), end + timedelta(days=1, hours=1)
    services.meeting_reschedule(
        meeting, by=province.user("province"), starts_at=new_start, ends_at=new_end
    )
    venue_tasks = SupportTask.objects.filter(meeting=meeting, kind="venue")
    assert {t.on_site_due_at for t in venue_tasks} == {new_start - timedelta(minutes=60)}
    assert {t.shutdown_due_at for t in venue_tasks} == {new_end + timedelta(minutes=30)}
    assert set(
        SupportTask.objects.filter(meeting=meeting, kind="coordination").values_list(
            "ready_due_at", flat=True
        )
    ) == {new_start - timedelta(minutes=30)}
    event = MeetingEvent.objects.get(meeting=meeting, kind="rescheduled")
    assert event.changes["starts_at"] == [start.isoformat(), new_start.isoformat()]


def test_cancel_cancels_every_task_and_blocks_reschedule(province, tomorrow):
    meeting = make_meeting(province, tomorrow, province.venues[:3])
    services.meeting_publish(meeting, by=province.user("province"))
    services.meeting_cancel(meeting, by=province.user("province"), reason="客户通知取消")
    assert set(SupportTask.objects.filter(meeting=meeting).values_list("state", flat=True)) == {
        "cancelled"
    }
    assert (
        MeetingEvent.objects.get(meeting=meeting, kind="cancelled").changes["reason"]
        == "客户通知取消"
    )
    start, end = tomorrow
    with pytest.raises(ConflictError):
        services.meeting_reschedule(
            meeting,
            by=province.user("province"),
            starts_at=start + timedelta(days=2),
            ends_at=end + timedelta(days=2),
        )
    with pytest.raises(InvalidInputError):
        services.meeting_cancel(
            make_meeting(province, tomorrow, province.venues[:1]),
            by=province.user("province"),
            reason=" ",
        )


def test_county_dispatcher_cannot_publish_another_countys_meeting(province, tomorrow):
    tree = province
    own = services.meeting_create(
        by=tree.user("county1"),
        system="water",
        title="县级会商",
        starts_at=tomorrow[0],
        ends_at=tomorrow[1],
        notice_ref="县〔2026〕1号",
        venues=[tree.venues[2].pk],
    )
    assert own.org_unit == tree.counties[1]
    assert not Meeting.objects.visible_to(tree.user("county0")).filter(pk=own.pk).exists()
    with pytest.raises(Meeting.DoesNotExist):
        services.meeting_publish(own, by=tree.user("county0"))
    services.meeting_publish(own, by=tree.user("county1"), confirm_shortfalls=True)
    roles = Counter(SupportTask.objects.filter(meeting=own).values_list("role", flat=True))
    assert roles == {"publish": 1, "tech_maintenance": 1, "branch_venue": 1}

"""The builder of `python -m bench --scale N` (bench/scale_data.py) at a tiny scale: two provinces
of one city, two counties and three townships each, written in bulk, make a directory the product
works with: materialized paths, departments with heads, staff reporting to them, venues of every
system with their staff, devices with a probe status, IM groups; and a province's dispatcher
publishes its province-wide meeting through the real services."""

import pytest
from django.db.models import F

from bench.scale_data import (
    Shape,
    build_provinces,
    province_codes,
    province_dispatcher,
    province_meeting_venues,
)
from bench.scale_publish import meeting_drafts
from vcassure.meetings import services
from vcassure.meetings.models import SupportTask
from vcassure.notifications.models import ImGroup, Notification
from vcassure.orgs.models import Department, OrgUnit, Staff
from vcassure.probes.models import ProbeStatus, VenueMachineDown
from vcassure.venues.models import Equipment, Venue

TINY = Shape(cities=1, counties=2, townships=3)

pytestmark = pytest.mark.django_db


def test_tiny_provinces_are_built_in_bulk_and_consistent():
    built = build_provinces(2, TINY)
    units_per_province = 1 + 1 + 2 + 6
    assert built["org_units"] == 2 * units_per_province
    assert OrgUnit.objects.filter(path="").count() == 0
    for unit in OrgUnit.objects.select_related("parent"):
        expected = (unit.parent.path if unit.parent else "/") + f"{unit.pk}/"
        assert unit.path == expected, unit.code
    # Every department has a head of its own unit; everyone else reports to someone.
    assert not Department.objects.filter(head__isnull=True).exists()
    assert not Department.objects.exclude(head__org_unit=F("org_unit")).exists()
    heads = set(Department.objects.values_list("head_id", flat=True))
    assert not Staff.objects.exclude(pk__in=heads).filter(supervisor__isnull=True).exists()
    assert built["staff"] == Staff.objects.count()
    # Venues of the four systems, each with a primary person; two devices each, all probed.
    assert built["venues"] == Venue.objects.count()
    assert set(Venue.objects.values_list("system__code", flat=True)) == {
        "government",
        "general",
        "water",
        "finance",
    }
    assert not Venue.objects.filter(primary_staff__isnull=True).exists()
    assert Equipment.objects.count() == 2 * Venue.objects.count() == ProbeStatus.objects.count()
    # One device in a hundred unreachable: its venue shows a device down on the dashboards.
    failing = set(
        ProbeStatus.objects.filter(ok=False).values_list("equipment__venue_id", flat=True)
    )
    assert failing and built["venues_machine_down"] == len(failing)
    assert set(VenueMachineDown.objects.values_list("venue_id", flat=True)) == failing
    assert ImGroup.objects.count() == built["im_groups"] == 2 * (3 + 1)
    # Built once per database: a second call reuses what is there.
    assert build_provinces(2, TINY) == {"reused": True, "venues_machine_down": len(failing)}


def test_a_province_dispatcher_publishes_its_province_wide_meeting():
    build_provinces(2, TINY)
    code = province_codes(2)[1]
    main, branches = province_meeting_venues(code)
    # The government system: every city, county and township, and a second room in most townships.
    assert len(branches) == 1 + 2 + 3 * 2 + 2 * 2
    assert (
        not Venue.objects.filter(pk__in=branches)
        .exclude(org_unit__code__startswith=code[:2])
        .exists()
    )
    users, meetings = meeting_drafts(2)  # the bench's drafts: one a province, by its dispatcher
    user, meeting = users[1], meetings[1]
    assert user == province_dispatcher(code)
    assert meeting.org_unit.code == code
    assert meeting.main_venue_id == main
    assert set(meeting.venues.values_list("id", flat=True)) == set(branches)
    _meeting, plan = services.meeting_publish(meeting, by=user, confirm_shortfalls=True)
    venue_tasks = SupportTask.objects.filter(meeting=meeting, kind="venue")
    assert venue_tasks.count() == len(branches) + 1  # the main venue has its resident
    assert not venue_tasks.filter(assignee__isnull=True).exists()
    assert not plan.shortfalls, plan.shortfalls
    assert Notification.objects.filter(topic=f"meeting:{meeting.pk}", requires_ack=True).exists()

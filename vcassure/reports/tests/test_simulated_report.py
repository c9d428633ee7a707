"""`manage.py simulate` plays a meeting through the same services people use; the meeting report
of what it played agrees with the simulator's own account and with the rows it wrote."""

import re
from io import StringIO

import pytest
from django.core.management import call_command

from tests.factories.orgs import StaffFactory
from tests.factories.venues import VenueFactory
from vcassure.faults.models import Fault
from vcassure.meetings.models import Meeting, SupportTask


@pytest.fixture
def thirty_venues(province):
    """30 water venues over the 8 townships, each with its own person."""
    for i in range(22):
        town = province.townships[i % len(province.townships)]
        VenueFactory(
            org_unit=town,
            code=f"W-REP-{i:02d}",
            name=f"{town.name}报告分会场{i}",
            primary_staff=StaffFactory(
                org_unit=town, name=f"报告人员{i}", mobile=f"1391000{i:04d}"
            ),
        )
    return province


def test_the_report_of_a_simulated_meeting_matches_what_was_played(
    thirty_venues, settings, api_client_for
):
    settings.SMS_GATEWAY_URL = "http://127.0.0.1:9/sms"
    out = StringIO()
    call_command(
        "simulate",
        new=True,
        venues=30,
        starts_in=90,
        speed=1e9,
        seed=5,
        username="province-dispatcher",
        stdout=out,
    )
    said = out.getvalue()
    meeting = Meeting.objects.get()
    report = (
        api_client_for(thirty_venues.user("province"))
        .get(f"/api/meetings/{meeting.pk}/report")
        .json()
    )
    venue_tasks = SupportTask.objects.filter(meeting=meeting, kind=SupportTask.Kind.VENUE)

    assert report["venues"] == venue_tasks.count() == 30
    answered = report["acknowledged_on_time"] + report["acknowledged_late"]
    assert answered + report["unanswered"] == 30
    never = int(re.search(r"never (\d+);", said).group(1))
    assert report["unanswered"] == never > 0
    assert report["ready_before_start"] + report["ready_late"] + report["not_ready"] == 30
    assert report["not_ready"] == venue_tasks.filter(ready_at__isnull=True).count()
    failed = int(re.search(r"failed (\d+);", said).group(1))
    opened = Fault.objects.filter(subject__in=[f"task:{t.pk}" for t in venue_tasks])
    assert report["faults"] == opened.count() == failed > 0
    assert report["mttr_minutes"] is not None  # every fault was restored

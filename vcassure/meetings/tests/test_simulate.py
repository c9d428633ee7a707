"""manage.py simulate: a small meeting played to its end through the services, counts consistent."""

from io import StringIO

import pytest
from django.core.management import call_command

from tests.factories.orgs import StaffFactory
from tests.factories.venues import VenueFactory
from vcassure.faults.models import Fault
from vcassure.meetings.models import Meeting, SupportTask
from vcassure.notifications.models import Notification


@pytest.fixture
def thirty_venues(province):
    """30 water venues over the 8 townships, each with its own person."""
    for i in range(22):
        town = province.townships[i % len(province.townships)]
        VenueFactory(
            org_unit=town,
            code=f"W-SIM-{i:02d}",
            name=f"{town.name}模拟分会场{i}",
            primary_staff=StaffFactory(
                org_unit=town, name=f"模拟人员{i}", mobile=f"1390000{i:04d}"
            ),
        )
    return province


def test_simulate_plays_a_meeting_to_its_end_with_consistent_counts(thirty_venues, settings):
    settings.SMS_GATEWAY_URL = "http://127.0.0.1:9/sms"
    out = StringIO()
    call_command(
        "simulate",
        new=True,
        venues=30,
        starts_in=90,
        speed=1e9,
        seed=2,
        username="province-dispatcher",
        stdout=out,
    )
    text = out.getvalue()
    meeting = Meeting.objects.get()
    assert meeting.state == Meeting.State.ENDED
    tasks = SupportTask.objects.filter(meeting=meeting, kind=SupportTask.Kind.VENUE)
    assert tasks.count() == 30
    notices = Notification.objects.filter(
        topic=f"meeting:{meeting.pk}",
        kind=Notification.Kind.PUBLISHED,
        requires_ack=True,
        subject__in=[f"task:{pk}" for pk in tasks.values_list("pk", flat=True)],
    )
    acked = notices.filter(acknowledged_at__isnull=False).count()
    never = notices.filter(acknowledged_at__isnull=True).count()
    assert f"notices {notices.count()}:" in text
    assert f"never {never};" in text
    assert acked > never > 0  # most answer, a few never do
    # Those who never answered were escalated; their tasks are still waiting at the end.
    assert Notification.objects.filter(
        kind=Notification.Kind.ESCALATION, escalates__in=notices.filter(acknowledged_at=None)
    ).exists()
    # Every failed step opened a fault, and every one was restored.
    failed = Fault.objects.filter(source=Fault.Source.CHECKLIST, subject__startswith="task:")
    assert failed.count() > 0
    assert (
        f"failed {failed.count()}; faults opened {failed.count()}, restored {failed.count()}"
        in text
    )
    assert not failed.exclude(state=Fault.State.RESTORED).exists()
    assert tasks.filter(state=SupportTask.State.DONE).count() >= acked - 2

"""Publishing, rescheduling and cancelling reach people: one digest per IM group, one personal
notice per person with an acknowledgement link, and acknowledgement moves the task."""

from datetime import timedelta

import pytest
import time_machine

from tests.factories.meetings import make_meeting, published_meeting, task_notice, venue_task
from tests.factories.notifications import ack_token
from vcassure.core.errors import ConflictError
from vcassure.meetings import services
from vcassure.meetings.models import SupportTask
from vcassure.notifications import tokens
from vcassure.notifications.models import Delivery, ImGroup, Notification
from vcassure.notifications.services import (
    AckError,
    acknowledgements_apply_all,
    notification_ack_by_token,
)


@pytest.fixture
def sms_configured(settings):
    settings.SMS_GATEWAY_URL = "http://127.0.0.1:9/sms"  # rows only: nothing is sent in these tests
    return settings


def test_publish_queues_one_digest_per_group_and_one_notice_per_person(
    province, tomorrow, sms_configured
):
    meeting = published_meeting(province, tomorrow, province.venues[:5])
    topic = f"meeting:{meeting.pk}"
    digests = Delivery.objects.filter(topic=topic, group__isnull=False)
    assert sorted(digests.values_list("group__platform", flat=True)) == ["dingtalk", "wecom"]
    digest = digests.first()
    for venue in province.venues[:5]:
        assert venue.name in digest.payload["markdown"]
        assert venue.primary_staff.mobile in digest.payload["mention_mobiles"]
    assignees = set(
        SupportTask.objects.filter(meeting=meeting, assignee__isnull=False).values_list(
            "assignee_id", flat=True
        )
    )
    notices = Notification.objects.filter(topic=topic)
    assert set(notices.values_list("recipient_id", flat=True)) == assignees
    assert (
        notices.count()
        == SupportTask.objects.filter(meeting=meeting, assignee__isnull=False).count()
    )
    personal = Delivery.objects.filter(topic=topic, notification__isnull=False)
    assert personal.count() == notices.count() and all(
        "/ack/" in d.payload["link_url"] for d in personal
    )
    # Mentioned in an IM group: the ten-minute IM deadline applies.
    assert set(notices.values_list("ack_class", flat=True)) == {"im"}


def test_publish_refused_without_two_im_groups(province, tomorrow):
    ImGroup.objects.filter(platform="wecom").update(is_active=False)
    meeting = make_meeting(province, tomorrow, province.venues[:2])
    with pytest.raises(ConflictError) as refused:
        services.meeting_publish(meeting, by=province.user("province"), confirm_shortfalls=True)
    assert refused.value.code == "im_groups" and "测试省" in refused.value.message
    assert not SupportTask.objects.filter(meeting=meeting).exists()
    assert not Delivery.objects.exists()


def test_three_hundred_venues_one_digest_per_group(province, tomorrow, sms_configured):
    from tests.factories.venues import VenueFactory

    extra = [
        VenueFactory(
            org_unit=province.townships[i % 8], primary_staff=province.venues[i % 8].primary_staff
        )
        for i in range(292)
    ]
    published_meeting(province, tomorrow, province.venues + extra)
    assert Delivery.objects.filter(group__isnull=False).count() == 2  # never one message per task
    assert "另有" in Delivery.objects.filter(group__isnull=False).first().payload["markdown"]


def test_reschedule_withdraws_old_notices_and_sends_the_change(province, tomorrow, sms_configured):
    meeting = published_meeting(province, tomorrow, province.venues[:2])
    start, end = tomorrow
    services.meeting_reschedule(
        meeting,
        by=province.user("province"),
        starts_at=start + timedelta(hours=3),
        ends_at=end + timedelta(hours=3),
    )
    topic = f"meeting:{meeting.pk}"
    assert (
        Notification.objects.filter(topic=topic, kind="published", is_cancelled=True).count()
        == Notification.objects.filter(topic=topic, kind="published").count()
    )
    new = Notification.objects.filter(topic=topic, kind="rescheduled")
    assert new.exists() and all(n.requires_ack for n in new)
    digest = Delivery.objects.filter(topic=topic, group__isnull=False).order_by("-id").first()
    assert "改期" in digest.payload["markdown"]


def test_cancel_tells_everyone_without_asking_for_ack(province, tomorrow, sms_configured):
    meeting = published_meeting(province, tomorrow, province.venues[:2])
    services.meeting_cancel(meeting, by=province.user("province"), reason="客户通知取消")
    cancelled = Notification.objects.filter(topic=f"meeting:{meeting.pk}", kind="cancelled")
    assert cancelled.exists() and not any(n.requires_ack for n in cancelled)
    assert not Notification.objects.filter(topic=f"meeting:{meeting.pk}").unanswered().exists()


def test_ack_link_acknowledges_the_task_once(province, tomorrow, sms_configured):
    meeting = published_meeting(province, tomorrow, province.venues[:1])
    task = venue_task(meeting, province.venues[0])
    notice = task_notice(task)
    assert notification_ack_by_token(ack_token(notice)).first_time
    assert acknowledgements_apply_all() == 1
    task.refresh_from_db()
    assert task.state == "acknowledged" and task.acknowledged_at is not None
    with pytest.raises(AckError) as reused:
        notification_ack_by_token(ack_token(notice))
    assert reused.value.code == "used"


def test_forged_and_expired_tokens_are_refused(province, tomorrow, sms_configured, settings):
    meeting = published_meeting(province, tomorrow, province.venues[:1])
    notice = Notification.objects.filter(topic=f"meeting:{meeting.pk}").first()
    good = ack_token(notice)
    with pytest.raises(AckError) as forged:
        notification_ack_by_token(good[:-3] + ("abc" if not good.endswith("abc") else "xyz"))
    assert forged.value.code == "invalid"
    other_person = tokens.make_token(
        notification_id=notice.pk, staff_id=notice.recipient_id + 999, nonce=notice.token_nonce
    )
    with pytest.raises(AckError):
        notification_ack_by_token(other_person)
    with (
        time_machine.travel(timedelta(hours=settings.ACK_LINK_MAX_AGE_HOURS + 1)),
        pytest.raises(AckError) as expired,
    ):
        notification_ack_by_token(good)
    assert expired.value.code == "expired"
    notice.refresh_from_db()
    assert notice.acknowledged_at is None


def test_department_group_gets_only_its_departments_tasks(province, tomorrow, sms_configured):
    from vcassure.orgs.models import Department

    county = province.counties[0]
    group = ImGroup.objects.create(
        platform="dingtalk",
        name="一县技术维护群",
        org_unit=county,
        webhook_url="http://127.0.0.1:9/robot/send?access_token=tm",
    )
    group.departments.set([Department.objects.get(org_unit=county, kind="tech_maintenance")])
    meeting = make_meeting(province, tomorrow, province.venues[:5])  # counties 0, 1 and 2
    services.meeting_publish(meeting, by=province.user("province"), confirm_shortfalls=True)
    [digest] = Delivery.objects.filter(group=group)
    text = digest.payload["markdown"]
    assert (
        province.venues[0].name in text and province.venues[1].name in text
    )  # county 0's townships
    assert province.venues[2].name not in text and province.venues[4].name not in text

"""A failed step during a meeting reaches the city's network operations within one worker cycle:
one digest in each of its IM groups with @ the people on duty, and an SMS with an acknowledgement
link to each of them (local fake servers); the link acknowledges the fault; silence escalates."""

from datetime import timedelta

import pytest
import time_machine

from tests.factories.checklists import image_upload as photo
from tests.factories.meetings import published_meeting, venue_task
from tests.factories.notifications import ack_token
from tests.factories.orgs import StaffFactory
from vcassure.faults.models import Fault, FaultEvent
from vcassure.faults.services.escalation import faults_escalate_overdue
from vcassure.meetings.services import check_in
from vcassure.meetings.services import field_work as field
from vcassure.notifications import escalation, outbox
from vcassure.notifications.models import Delivery, ImGroup, Notification
from vcassure.notifications.services import acknowledgements_apply_all, notification_ack_by_token
from vcassure.orgs.models import Department, Staff


@pytest.fixture
def robots(province, fake_dingtalk, fake_wecom, fake_sms):
    """The province's two IM groups pointed at the fake robots, SMS at the fake gateway."""
    ding, wecom = fake_dingtalk.add_robot(), fake_wecom.add_robot()
    ImGroup.objects.filter(platform="dingtalk").update(webhook_url=ding.webhook_url)
    ImGroup.objects.filter(platform="wecom").update(webhook_url=wecom.webhook_url)
    return ding, wecom


@pytest.fixture
def failed_during_meeting(province, tomorrow, robots, fake_dingtalk, fake_wecom, fake_sms):
    """Venue 0's engineer passes the checks before the meeting, then step 2 fails ten minutes into
    it. The publishing notices are sent first, so what follows is the fault's alone."""
    meeting = published_meeting(province, tomorrow, province.venues[:2])
    task = venue_task(meeting, province.venues[0])
    user = province.user("township0", "support")
    with time_machine.travel(meeting.starts_at - timedelta(minutes=90), tick=False):
        outbox.outbox_drain()
        check_in.support_task_check_in(task, by=user)
        for n in (1, 2, 3):
            field.support_task_record_step(task, by=user, number=n, result="pass", photos=[photo()])
    fake_sms.messages.clear()
    for robot in robots:
        robot.messages.clear()
    traveller = time_machine.travel(meeting.starts_at + timedelta(minutes=10), tick=False)
    traveller.start()
    field.support_task_record_step(task, by=user, number=2, result="fail", note="对端无图像")
    yield Fault.objects.get(subject=f"task:{task.pk}")
    traveller.stop()


def netops_on_duty(province) -> list[Staff]:
    netops = Department.objects.get(org_unit=province.cities[0], kind="network_ops")
    return list(Staff.objects.filter(department=netops, is_emergency_mobile=True))


def test_failed_step_during_meeting_reaches_network_ops_in_one_cycle(
    province, failed_during_meeting, robots, fake_sms
):
    fault = failed_during_meeting
    assert fault.severity == "critical" and fault.state == "open"
    assert fault.ack_due_at == fault.opened_at + timedelta(minutes=5)
    assert fault.restore_due_at == fault.opened_at + timedelta(minutes=60)
    on_duty = netops_on_duty(province)
    assert len(on_duty) == 2

    outbox.outbox_drain()  # one worker cycle

    ding, wecom = robots
    [ding_message] = ding.messages
    [wecom_message] = wecom.messages
    markdown = ding_message["markdown"]["text"]
    assert "对端无图像" in markdown and "紧急" in markdown and f"/faults/{fault.pk}/" in markdown
    assert sorted(ding_message["at"]["atMobiles"]) == sorted(p.mobile for p in on_duty)
    assert province.venues[0].name in wecom_message["text"]["content"]
    assert sorted(wecom_message["text"]["mentioned_mobile_list"]) == sorted(
        p.mobile for p in on_duty
    )
    texts = {m["mobile"]: m["content"] for m in fake_sms.messages}
    assert set(texts) == {p.mobile for p in on_duty}
    assert all("/ack/" in t and fault.title in t for t in texts.values())
    notices = Notification.objects.filter(subject=f"fault:{fault.pk}", kind="fault")
    assert notices.count() == 2 and {n.ack_due_at for n in notices} == {fault.ack_due_at}


def test_the_link_acknowledges_the_fault_and_stops_the_others(province, failed_during_meeting):
    fault = failed_during_meeting
    first, second = Notification.objects.filter(subject=f"fault:{fault.pk}").order_by("id")
    assert notification_ack_by_token(ack_token(first)).first_time
    assert acknowledgements_apply_all() == 1  # the worker applies it
    fault.refresh_from_db()
    assert fault.state == "acknowledged" and fault.acknowledged_at is not None
    event = fault.events.get(kind="acknowledged")
    assert event.note == first.recipient.name
    second.refresh_from_db()
    assert second.is_cancelled and second.next_escalation_at is None  # someone has it
    assert not Delivery.objects.filter(notification=second, status="queued").exists()


def test_silence_climbs_the_ladder(province, failed_during_meeting, fake_sms):
    fault = failed_during_meeting
    netops = Department.objects.get(org_unit=province.cities[0], kind="network_ops")
    netops.head = StaffFactory(org_unit=province.cities[0], name="网络运行部主任")
    netops.save()
    notices = list(Notification.objects.filter(subject=f"fault:{fault.pk}"))
    first_rung = min(n.next_escalation_at for n in notices)
    assert first_rung >= fault.ack_due_at
    with time_machine.travel(first_rung + timedelta(seconds=1), tick=False):
        assert escalation.escalations_process_due() >= len(notices)  # the tasks' notices too
        assert faults_escalate_overdue() == 1
        assert faults_escalate_overdue() == 0  # once per missed deadline
    for n in notices:
        n.refresh_from_db()
        assert n.escalation_level == 1
        assert Delivery.objects.filter(notification=n).count() == 2  # rung one: notified again
    event = fault.events.get(kind=FaultEvent.Kind.ESCALATED)
    assert event.note.startswith("受理超时")
    assert Notification.objects.filter(
        recipient=netops.head, kind="escalation", subject=f"fault:{fault.pk}"
    ).exists()
    with time_machine.travel(fault.restore_due_at + timedelta(minutes=1), tick=False):
        assert faults_escalate_overdue() == 2  # on site and restore missed too


def test_the_assignee_is_told_and_the_link_leads_to_the_phone_page(
    province, failed_during_meeting, client
):
    from vcassure.faults.services import fault_assign

    fault = failed_during_meeting
    engineer = province.user("county0", "support").staff_profile
    fault_assign(fault, by=province.user("city0", "support"), assignee=engineer)
    notice = Notification.objects.get(subject=f"fault:{fault.pk}", recipient=engineer)
    assert notice.requires_ack and "派单" in notice.title and "到场时限" in notice.body
    # The department's unanswered notices are withdrawn: someone has the fault.
    assert not Notification.objects.filter(
        subject=f"fault:{fault.pk}", is_cancelled=False, acknowledged_at__isnull=True
    ).exclude(recipient=engineer)
    response = client.post(f"/ack/{ack_token(notice)}")
    assert response.status_code == 200
    assert f'href="/faults/{fault.pk}/phone/"' in response.content.decode()


def test_the_assignees_link_opens_that_faults_phone_page_without_login(
    province, failed_during_meeting, client
):
    """The notice link grants a pass for THAT fault: its phone page and buttons work without a
    login, as the assignee; another fault's page still asks for a login."""
    from vcassure.faults.services import fault_acknowledge, fault_assign

    fault = failed_during_meeting
    other = Fault.objects.create(
        title="另一个故障",
        org_unit=fault.org_unit,
        venue=fault.venue,
        severity=fault.severity,
        source=fault.source,
        opened_at=fault.opened_at,
    )
    engineer = province.user("county0", "support").staff_profile
    fault_acknowledge(fault, by=None)
    fault_assign(fault, by=province.user("city0", "support"), assignee=engineer)
    fault_assign(other, by=province.user("city0", "support"), assignee=engineer)
    assert client.get(f"/faults/{fault.pk}/phone/").status_code == 302  # no pass yet
    notice = Notification.objects.get(subject=f"fault:{fault.pk}", recipient=engineer)
    assert client.get(f"/ack/{ack_token(notice)}").status_code == 200

    page = client.get(f"/faults/{fault.pk}/phone/")
    assert page.status_code == 200
    html = page.content.decode()
    assert fault.title in html and 'id="on-site-form"' in html
    refused = client.get(f"/faults/{other.pk}/phone/")
    assert refused.status_code == 302 and "/accounts/login" in refused["Location"]
    assert client.post(f"/faults/{other.pk}/phone/on-site/").status_code == 302
    assert client.get(f"/faults/{other.pk}/").status_code == 302

    response = client.post(f"/faults/{fault.pk}/phone/on-site/")
    assert response.status_code == 302 and response["Location"] == f"/faults/{fault.pk}/phone/"
    fault.refresh_from_db()
    assert fault.state == Fault.State.ON_SITE
    assert fault.events.get(kind="on_site").actor == engineer.user
    other.refresh_from_db()
    assert other.state != Fault.State.ON_SITE

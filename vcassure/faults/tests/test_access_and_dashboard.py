"""Venue access: one tap on the task card reports that the engineer cannot get into the venue; it
goes to the customer department with its own deadlines and escalation, and shows on the live
dashboard, like a venue's open fault with its restore clock."""

from datetime import timedelta

import time_machine

from tests.factories.checklists import image_upload as photo
from tests.factories.meetings import published_meeting, venue_task
from vcassure.accounts.models import Role
from vcassure.faults.models import Fault
from vcassure.faults.services.escalation import faults_escalate_overdue
from vcassure.meetings.models import SupportTask
from vcassure.meetings.services import check_in
from vcassure.meetings.services import field_work as field
from vcassure.notifications.models import Delivery


def test_access_report_goes_to_the_customer_department_and_the_dashboard(
    province, tomorrow, client, settings
):
    settings.SMS_GATEWAY_URL = "http://127.0.0.1:9/sms"  # rows only
    meeting = published_meeting(province, tomorrow, province.venues[:2])
    task = venue_task(meeting, province.venues[0])
    with time_machine.travel(meeting.starts_at - timedelta(minutes=90), tick=False):
        client.force_login(province.user("township0", Role.SUPPORT))  # sessions expire when idle
        card = client.get(f"/meetings/tasks/{task.pk}/field/").content.decode()
        assert 'id="access-form"' in card
        response = client.post(f"/meetings/tasks/{task.pk}/field/access/")
        assert response.status_code == 302
        fault = Fault.objects.get(subject=f"task:{task.pk}")
        assert fault.source == "access" and fault.severity == "major" and fault.state == "open"
        assert fault.assigned_department.kind == "customer"
        assert fault.assigned_department.org_unit == province.counties[0]
        assert fault.ack_due_at == fault.opened_at + timedelta(minutes=10)
        assert Delivery.objects.filter(topic=f"fault:{fault.pk}", group__isnull=False).exists()
        card = client.get(f"/meetings/tasks/{task.pk}/field/").content.decode()
        assert "正在协调" in card and 'id="access-form"' not in card
        again = client.post(f"/meetings/tasks/{task.pk}/field/access/")
        assert again.status_code == 409 and "已报告" in again.content.decode()
        task.refresh_from_db()
        assert task.state != "faulty"  # access is not a fault of the equipment

        client.force_login(province.user("city0", Role.DISPATCHER))
        board = client.get(f"/meetings/{meeting.pk}/dashboard/").content.decode()
        row = board[board.index(f'data-task="{task.pk}"') :][:1500]
        assert 'data-reason="access"' in row and f'data-fault="{fault.pk}"' in row
    with time_machine.travel(fault.ack_due_at + timedelta(minutes=1), tick=False):
        assert faults_escalate_overdue() == 1  # its own deadline escalates
    assert fault.events.filter(kind="escalated").exists()


def test_dashboard_shows_a_faulty_venue_with_its_clock(province, tomorrow, client, settings):
    settings.SMS_GATEWAY_URL = "http://127.0.0.1:9/sms"
    meeting = published_meeting(province, tomorrow, province.venues[:2])
    task = venue_task(meeting, province.venues[0])
    user = province.user("township0", Role.SUPPORT)
    with time_machine.travel(meeting.starts_at - timedelta(minutes=90), tick=False):
        check_in.support_task_check_in(task, by=user)
        field.support_task_record_step(task, by=user, number=1, result="pass", photos=[photo()])
        field.support_task_record_step(task, by=user, number=2, result="fail", note="无信号")
        fault = Fault.objects.get(subject=f"task:{task.pk}")
        assert SupportTask.objects.get(pk=task.pk).state == "faulty"
        client.force_login(province.user("city0", Role.DISPATCHER))
        board = client.get(f"/meetings/{meeting.pk}/dashboard/").content.decode()
    row = board[board.index(f'data-task="{task.pk}"') :][:1500]
    assert f'data-fault="{fault.pk}"' in row and "恢复时限" in row
    assert fault.restore_due_at == fault.opened_at + timedelta(hours=4)  # major: before the meeting


def test_reopening_puts_the_venue_task_back_in_faulty(province, tomorrow, settings):
    from vcassure.faults.services import fault_reopen, fault_restore

    settings.SMS_GATEWAY_URL = "http://127.0.0.1:9/sms"
    meeting = published_meeting(province, tomorrow, province.venues[:1])
    task = venue_task(meeting, province.venues[0])
    user = province.user("township0", Role.SUPPORT)
    netops = province.user("city0", Role.SUPPORT)
    with time_machine.travel(meeting.starts_at - timedelta(minutes=90), tick=False):
        check_in.support_task_check_in(task, by=user)
        for n in (1, 2, 3):
            field.support_task_record_step(task, by=user, number=n, result="pass", photos=[photo()])
        field.support_task_record_step(task, by=user, number=2, result="fail", note="无信号")
        fault = Fault.objects.get(subject=f"task:{task.pk}")
        fault_restore(fault, by=netops)
        assert SupportTask.objects.get(pk=task.pk).state == "ready"
        fault_reopen(fault, by=netops, reason="又断了")
        assert SupportTask.objects.get(pk=task.pk).state == "faulty"
        fault_restore(fault, by=netops)
        assert SupportTask.objects.get(pk=task.pk).state == "ready"

"""Field work: check in, the R7 checklist in order with evidence, a failed step opens a fault for
the city's network operations, restoring it returns the task to its place; the meeting clock."""

import io
from datetime import timedelta

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from tests.factories.meetings import before_meeting, published_meeting, township_staff_user
from vcassure.accounts.models import Role
from vcassure.core.errors import ConflictError, InvalidInputError
from vcassure.faults.models import Fault
from vcassure.faults.services import fault_restore
from vcassure.meetings.models import SupportTask, TaskTransition
from vcassure.meetings.services import check_in
from vcassure.meetings.services import field_work as field
from vcassure.meetings.services.clock import meeting_clock_sweep
from vcassure.notifications.models import Notification


def photo(name="cabinet.jpg", fmt="JPEG", size=(64, 48)) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buffer, format=fmt)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


@pytest.fixture
def task(province, tomorrow):
    meeting = published_meeting(province, tomorrow, province.venues[:2])
    return SupportTask.objects.select_related("meeting").get(
        meeting=meeting, venue=province.venues[0]
    )


staff_user = township_staff_user


def test_walk_the_checklist_to_ready_and_done(province, task):
    user = staff_user(province)
    with before_meeting(task):
        check_in.support_task_check_in(task, by=user, lat="30.27", lng="120.15")
        task.refresh_from_db()
        assert (
            task.state == "on_site" and task.checked_in_at and str(task.check_in_lat) == "30.270000"
        )
        field.support_task_record_step(task, by=user, number=1, result="pass", photos=[photo()])
        field.support_task_record_step(task, by=user, number=2, result="pass")
        field.support_task_record_step(
            task, by=user, number=3, result="pass", photos=[photo("join.png", "PNG")]
        )
    task.refresh_from_db()
    assert task.state == "ready" and task.ready_at is not None
    with time_machine.travel(task.meeting.starts_at + timedelta(seconds=5), tick=False):
        meeting_clock_sweep()
    task.refresh_from_db()
    assert task.state == "in_meeting"
    with time_machine.travel(task.meeting.ends_at + timedelta(minutes=5), tick=False):
        meeting_clock_sweep()
        field.support_task_record_step(task, by=user, number=4, result="pass")
    task.refresh_from_db()
    assert task.state == "done"
    states = list(TaskTransition.objects.filter(task=task).values_list("to_state", flat=True))
    assert states[-4:] == ["on_site", "ready", "in_meeting", "done"]


def test_steps_out_of_order_and_step_four_before_the_end_are_refused(province, task):
    user = staff_user(province)
    with before_meeting(task):
        with pytest.raises(ConflictError) as not_there:
            field.support_task_record_step(task, by=user, number=1, result="pass", photos=[photo()])
        assert not_there.value.code == "not_on_site"
        check_in.support_task_check_in(task, by=user)
        with pytest.raises(ConflictError) as skipped:
            field.support_task_record_step(task, by=user, number=3, result="pass", photos=[photo()])
        assert skipped.value.code == "out_of_order" and "1" in skipped.value.message
        with pytest.raises(ConflictError) as early:
            field.support_task_record_step(task, by=user, number=4, result="pass")
        assert early.value.code == "too_early"


@pytest.mark.parametrize(
    "upload,message",
    [
        (
            SimpleUploadedFile("virus.jpg", b"MZ\x90\x00not an image", content_type="image/jpeg"),
            "不是有效的图片",
        ),
        (
            SimpleUploadedFile("doc.png", b"%PDF-1.4 fake", content_type="image/png"),
            "不是有效的图片",
        ),
    ],
)
def test_bad_photos_are_refused_and_nothing_written(province, task, upload, message):
    user = staff_user(province)
    with before_meeting(task):
        check_in.support_task_check_in(task, by=user)
        with pytest.raises(InvalidInputError) as refused:
            field.support_task_record_step(task, by=user, number=1, result="pass", photos=[upload])
    assert message in refused.value.message
    from vcassure.checklists.models import StepResult

    assert not StepResult.objects.exists()


def test_too_large_and_too_many_photos(province, task, monkeypatch):
    from vcassure.checklists import services as checklist_services

    user = staff_user(province)
    with before_meeting(task):
        check_in.support_task_check_in(task, by=user)
        with pytest.raises(InvalidInputError):
            field.support_task_record_step(
                task, by=user, number=1, result="pass", photos=[photo() for _ in range(5)]
            )
        monkeypatch.setattr(checklist_services, "MAX_PHOTO_BYTES", 100)
        with pytest.raises(InvalidInputError) as big:
            field.support_task_record_step(task, by=user, number=1, result="pass", photos=[photo()])
    assert "10 MB" in big.value.message


def test_failed_step_opens_fault_and_restore_returns_the_task(province, task):
    user = staff_user(province)
    with before_meeting(task):
        check_in.support_task_check_in(task, by=user)
        field.support_task_record_step(task, by=user, number=1, result="pass", photos=[photo()])
        field.support_task_record_step(task, by=user, number=2, result="pass")
        field.support_task_record_step(task, by=user, number=3, result="pass", photos=[photo()])
        with pytest.raises(InvalidInputError):
            field.support_task_record_step(
                task, by=user, number=2, result="fail"
            )  # a failure needs a note
        field.support_task_record_step(
            task, by=user, number=2, result="fail", note="光功率 -32 dBm，低于门限"
        )
        task.refresh_from_db()
        assert task.state == "faulty" and task.state_before_fault == "ready"
        fault = Fault.objects.get(subject=f"task:{task.pk}")
        assert fault.assigned_department.kind == "network_ops"
        assert fault.assigned_department.org_unit == province.cities[0]
        assert fault.state == "open" and fault.step_result.step.number == 2
        fault_restore(fault, by=province.user("city0"), note="更换尾纤")
    task.refresh_from_db()
    assert task.state == "ready"
    assert list(TaskTransition.objects.filter(task=task).values_list("to_state", flat=True))[
        -3:
    ] == ["faulty", "restored", "ready"]


def test_other_scope_cannot_work_the_task(province, task):
    with before_meeting(task), pytest.raises(SupportTask.DoesNotExist):
        check_in.support_task_check_in(task, by=province.user("township2", Role.SUPPORT))
    task.refresh_from_db()
    assert task.checked_in_at is None


def test_missed_deadlines_are_marked_once_and_escalated(province, task, settings):
    settings.SMS_GATEWAY_URL = "http://127.0.0.1:9/sms"
    with time_machine.travel(task.on_site_due_at + timedelta(minutes=1), tick=False):
        first = meeting_clock_sweep()
        again = meeting_clock_sweep()
    assert (
        first["missed_on_site"] == 3 and again["missed_on_site"] == 0
    )  # two branch venues and the main venue
    task.refresh_from_db()
    assert task.missed_on_site_at is not None
    overdue = Notification.objects.filter(kind="overdue", subject=f"task:{task.pk}")
    assert task.assignee_id in set(overdue.values_list("recipient_id", flat=True))


def test_shutdown_not_recorded_within_thirty_minutes_is_escalated(province, task, settings):
    settings.SMS_GATEWAY_URL = "http://127.0.0.1:9/sms"
    user = staff_user(province)
    with before_meeting(task):
        check_in.support_task_check_in(task, by=user)
        field.support_task_record_step(task, by=user, number=1, result="pass", photos=[photo()])
        field.support_task_record_step(task, by=user, number=2, result="pass")
        field.support_task_record_step(task, by=user, number=3, result="pass", photos=[photo()])
    with time_machine.travel(task.meeting.ends_at + timedelta(minutes=31), tick=False):
        result = meeting_clock_sweep()
    task.refresh_from_db()
    assert task.missed_shutdown_at is not None and result["missed_shutdown"] >= 1
    notice = Notification.objects.filter(
        kind="overdue", subject=f"task:{task.pk}", recipient=task.assignee
    ).last()
    assert "关机" in notice.body

"""Refusals on the field pages: bad, too large, too many or missing photos, steps before check-in or
out of order, step four before the end of the meeting; shown on the page, nothing written. (The
`task`, `before` and `worker` fixtures are in conftest.py.)"""

from datetime import timedelta

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from vcassure.checklists.models import StepPhoto, StepResult
from vcassure.faults.models import Fault
from vcassure.meetings.tests.field_helpers import (
    card_url,
    check_in,
    gif,
    pass_before_steps,
    photo,
    record,
)

# --- refusals: shown on the page, nothing written --------------------------------------------------


@pytest.mark.parametrize(
    "upload,message",
    [
        (gif, "照片只能是 JPEG、PNG 或 WebP 格式"),
        (
            lambda: SimpleUploadedFile(
                "cabinet.jpg", b"just some text, not a picture", content_type="image/jpeg"
            ),
            "不是有效的图片",
        ),
        (
            lambda: SimpleUploadedFile(
                "cabinet.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, content_type="image/png"
            ),
            "不是有效的图片",
        ),
    ],
    ids=["wrong-type", "text-as-jpeg", "broken-png"],
)
def test_bad_uploads_are_refused_on_the_page(task, before, worker, upload, message):
    check_in(worker, task)
    response = record(worker, task, 1, note="UPS 正常", photos=[upload()])
    page = response.content.decode()
    assert response.status_code == 422 and message in page and 'role="alert"' in page
    assert "UPS 正常</textarea>" in page  # the note is kept; the photo must be chosen again
    assert not StepResult.objects.exists() and not StepPhoto.objects.exists()


def test_too_large_a_photo_is_refused(task, before, worker, monkeypatch):
    from vcassure.checklists import services as checklist_services

    monkeypatch.setattr(checklist_services, "MAX_PHOTO_BYTES", 100)
    check_in(worker, task)
    response = record(worker, task, 1, photos=[photo()])
    assert response.status_code == 422 and "超过 10 MB" in response.content.decode()
    assert not StepResult.objects.exists()


def test_too_many_photos_and_a_missing_photo(task, before, worker):
    check_in(worker, task)
    many = record(worker, task, 1, photos=[photo() for _ in range(5)])
    assert many.status_code == 422 and "最多上传 4 张照片" in many.content.decode()
    missing = record(worker, task, 1)
    assert missing.status_code == 422 and "此步骤需要拍照留证" in missing.content.decode()
    assert not StepResult.objects.exists()


def test_steps_before_check_in_and_out_of_order(task, before, worker):
    early = record(worker, task, 1, photos=[photo()])
    assert early.status_code == 409 and "请先到场签到" in early.content.decode()
    check_in(worker, task)
    skipped = record(worker, task, 3, photos=[photo()])
    assert skipped.status_code == 409 and "请先完成第 1、2 步" in skipped.content.decode()
    no_note = record(worker, task, 1, "fail")
    assert no_note.status_code == 422 and "不通过时请填写情况说明" in no_note.content.decode()
    assert not StepResult.objects.exists() and not Fault.objects.exists()
    task.refresh_from_db()
    assert task.state == "on_site"


def test_step_four_waits_for_the_end_of_the_meeting(task, before, worker):
    check_in(worker, task)
    pass_before_steps(worker, task)
    response = record(worker, task, 4)
    assert response.status_code == 409 and "须在会议结束后进行" in response.content.decode()
    assert not StepResult.objects.filter(step__number=4).exists()
    with time_machine.travel(task.meeting.ends_at + timedelta(minutes=5), tick=False):
        worker.force_login(task.assignee.user)  # sessions end after two idle hours
        page = worker.get(card_url(task)).content.decode()
        assert "会前检查不能再记录" in page
        assert record(worker, task, 4).status_code == 302

"""The inspection card's answer first, its photos after (what the phone's script, photos.js, does on
a weak link): a pass that announced photos counts, and completes the inspection, once they have
arrived; a photo is checked like any; without a saved answer it is refused; out of scope is a
404. The plain post (answer and photos together) is test_views.py's."""

import io
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from PIL import Image

from vcassure.accounts.models import Role
from vcassure.checklists.models import StepResult
from vcassure.core.models import AuditEvent
from vcassure.routine.models import Inspection
from vcassure.routine.services import inspections_generate

JSON = {"HTTP_ACCEPT": "application/json"}


@pytest.fixture
def inspection(province, make_plan):
    make_plan()
    inspections_generate(day=date(2026, 10, 9))
    return Inspection.objects.get(venue=province.venues[0])


@pytest.fixture
def worker(inspection) -> Client:
    client = Client()
    client.force_login(inspection.assignee.user)
    return client


def jpeg(name: str = "cabinet.jpg") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (20, 110, 190)).save(buffer, format="JPEG")
    return SimpleUploadedFile(name, buffer.getvalue(), "image/jpeg")


def answer(client, inspection, number, **data):
    url = reverse("routine:inspection_step", args=[inspection.pk, number])
    return client.post(url, {"result": "pass", "note": "", **data}, **JSON)


def send_photo(client, inspection, number, upload):
    url = reverse("routine:inspection_step_photo", args=[inspection.pk, number])
    return client.post(url, {"photo": upload}, **JSON)


def test_a_pass_counts_once_its_photo_arrives(inspection, worker):
    saved = answer(worker, inspection, 1, note="市电、UPS 正常", photos_to_follow="1")
    assert saved.status_code == 200 and saved.json()["photos_pending"] == 1
    assert saved.json()["photos_url"] == f"/routine/inspections/{inspection.pk}/steps/1/photos/"
    card = worker.get(saved.json()["next"].split("#")[0]).content.decode()
    assert "张照片未上传完成" in card and "请先完成第 1 步" in card
    blocked = answer(worker, inspection, 2, reading="-20")
    assert blocked.status_code == 409 and "请先完成第 1 步" in blocked.json()["detail"]
    # A broken photo is refused and changes nothing; the real one completes the step.
    bad = send_photo(worker, inspection, 1, SimpleUploadedFile("x.jpg", b"no image", "image/jpeg"))
    assert bad.status_code == 422 and "不是有效的图片" in bad.json()["detail"]
    assert StepResult.objects.get(step__number=1).photos_pending == 1
    done = send_photo(worker, inspection, 1, jpeg())
    assert done.status_code == 200 and done.json()["photos_pending"] == 0
    record = StepResult.objects.get(step__number=1)
    assert record.note == "市电、UPS 正常" and record.photos.count() == 1
    assert list(
        AuditEvent.objects.filter(action__startswith="checklist.step")
        .order_by("id")
        .values_list("action", flat=True)
    ) == ["checklist.step", "checklist.step_photo"]


def test_the_last_photo_completes_the_inspection(inspection, worker):
    assert answer(worker, inspection, 1).status_code == 200
    saved = answer(worker, inspection, 2, reading="-20", photos_to_follow="2")
    assert saved.json()["result"] == "pass" and saved.json()["photos_pending"] == 2
    inspection.refresh_from_db()
    assert inspection.state == "in_progress"
    send_photo(worker, inspection, 2, jpeg("a.jpg"))
    inspection.refresh_from_db()
    assert inspection.state == "in_progress"
    send_photo(worker, inspection, 2, jpeg("b.jpg"))
    inspection.refresh_from_db()
    assert inspection.state == "done" and inspection.completed_at is not None
    late = send_photo(worker, inspection, 2, jpeg("c.jpg"))  # a duplicate after the end
    assert late.status_code == 409


def test_refusals_come_back_as_json(province, inspection, worker):
    no_answer = send_photo(worker, inspection, 1, jpeg())
    assert no_answer.status_code == 409 and "请先提交此步骤的检查结果" in no_answer.json()["detail"]
    assert answer(worker, inspection, 1).status_code == 200
    no_reading = answer(worker, inspection, 2, photos_to_follow="1")
    assert no_reading.status_code == 422 and "需要填写读数" in no_reading.json()["detail"]
    too_many = answer(worker, inspection, 2, reading="-20", photos_to_follow="9")
    assert too_many.status_code == 422
    url = reverse("routine:inspection_step_photo", args=[inspection.pk, 1])
    assert worker.post(url, {}, **JSON).status_code == 400  # no photo in the request
    other = Client()
    other.force_login(province.user("county2", Role.DISPATCHER))
    assert send_photo(other, inspection, 1, jpeg()).status_code == 404
    assert Client().post(url, {"photo": jpeg()}).status_code == 302  # to the login page

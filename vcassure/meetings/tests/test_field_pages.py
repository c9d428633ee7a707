"""The field pages on a phone (task card, check-in, checklist with photos) through Django's test
client, and the field API: POST /api/tasks/{id}/check-in and POST /api/tasks/{id}/steps/{n}."""

import io
from datetime import timedelta

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from tests.factories.meetings import published_meeting, task_notice, venue_task
from tests.factories.notifications import ack_token
from vcassure.accounts.models import Role
from vcassure.checklists.models import StepPhoto, StepResult
from vcassure.faults.models import Fault
from vcassure.meetings.models import SupportTask, TaskTransition
from vcassure.orgs.models import Department

NETOPS_PHONE = "0571-87001234"


def image_bytes(fmt: str = "PNG", size=(64, 48)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (30, 120, 200)).save(buffer, format=fmt)
    return buffer.getvalue()


def photo(name: str = "cabinet.png", fmt: str = "PNG") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, image_bytes(fmt), content_type="image/png")


@pytest.fixture
def task(province, tomorrow, settings):
    settings.SMS_GATEWAY_URL = "http://127.0.0.1:9/sms"
    Department.objects.filter(org_unit=province.cities[0], kind=Department.Kind.NETWORK_OPS).update(
        phone=NETOPS_PHONE
    )
    meeting = published_meeting(province, tomorrow, province.venues[:2])
    return SupportTask.objects.select_related("meeting", "venue").get(
        meeting=meeting, venue=province.venues[0]
    )


@pytest.fixture
def before(task):
    with time_machine.travel(task.meeting.starts_at - timedelta(minutes=90), tick=False):
        yield


@pytest.fixture
def worker(province, client):
    client.force_login(province.user("township0", Role.SUPPORT))
    return client


def card_url(task) -> str:
    return f"/meetings/tasks/{task.pk}/field/"


def step_url(task, number: int, template: str = "venue-r7") -> str:
    return f"/meetings/tasks/{task.pk}/field/steps/{template}/{number}/"


def check_in(client, task, **data):
    return client.post(f"/meetings/tasks/{task.pk}/field/check-in/", data)


def record(client, task, number, result="pass", note="", photos=(), template="venue-r7"):
    return client.post(
        step_url(task, number, template), {"result": result, "note": note, "photos": list(photos)}
    )


def pass_before_steps(client, task):
    assert record(client, task, 1, photos=[photo()]).status_code == 302
    assert record(client, task, 2).status_code == 302
    assert record(client, task, 3, photos=[photo("join.jpg", "JPEG")]).status_code == 302


# --- the task card --------------------------------------------------------------------------------


def test_card_shows_meeting_deadlines_who_to_call_and_the_checklist(task, before, worker):
    response = worker.get(card_url(task))
    assert response.status_code == 200
    page = response.content.decode()
    assert task.venue.name in page and task.meeting.title in page
    for label in ("到场时限", "就绪时限", "关机时限"):
        assert label in page
    assert "还剩 30 分钟" in page  # on site by T−60, now T−90
    assert f'href="tel:{NETOPS_PHONE}"' in page and 'href="tel:96311"' in page
    assert "我已到场，签到" in page and 'name="lat"' in page
    assert "检查分会场机房及机柜电源供电情况" in page and "会议结束，设备关机" in page
    assert "光缆线路保障" not in page  # R8 only for important and special meetings
    assert page.count("请先到场签到") == 4


def test_important_meeting_adds_the_fibre_checklist(province, tomorrow, worker):
    meeting = published_meeting(province, tomorrow, province.venues[:1], importance="important")
    task = venue_task(meeting, province.venues[0])
    page = worker.get(card_url(task)).content.decode()
    assert "光缆线路保障" in page and 'id="checklist-fibre-r8"' in page


def test_card_renders_in_a_fixed_number_of_queries(
    task, before, worker, django_assert_max_num_queries
):
    check_in(worker, task)
    pass_before_steps(worker, task)
    record(worker, task, 2, "fail", note="尾纤松动")
    with django_assert_max_num_queries(
        14
    ):  # session, user, staff, task, checklists (5), faults, department, …
        response = worker.get(card_url(task))
    assert response.status_code == 200


def test_my_tasks_and_the_ack_page_link_to_the_card(task, province, worker, client):
    assert f'href="{card_url(task)}"' in worker.get("/meetings/tasks/mine/").content.decode()
    notice = task_notice(task)
    token = ack_token(notice)
    worker.logout()
    done = client.post(f"/ack/{token}").content.decode()
    assert "进入现场工作" in done and f'href="{card_url(task)}"' in done
    login = client.get(card_url(task))
    assert login.status_code == 302 and "/accounts/login/" in login["Location"]


# --- the walk: check in, steps 1–3 with photos, a failure, the restore -------------------------------


def test_check_in_steps_fault_and_restore(task, before, worker, province, client):
    response = check_in(worker, task, lat="30.274150", lng="120.155070")
    assert response.status_code == 302 and response["Location"].endswith(
        f"{card_url(task)}#checklists"
    )
    task.refresh_from_db()
    assert task.state == "on_site" and str(task.check_in_lat) == "30.274150"
    page = worker.get(card_url(task)).content.decode()
    assert "已于" in page and "到场签到" in page and "我已到场，签到" not in page

    pass_before_steps(worker, task)
    task.refresh_from_db()
    assert task.state == "ready"
    photos = list(StepPhoto.objects.order_by("id"))
    assert [p.content_type for p in photos] == ["image/png", "image/jpeg"]
    page = worker.get(card_url(task)).content.decode()
    assert (
        f'href="/checklists/photos/{photos[0].pk}/"' in page
        and f"/checklists/photos/{photos[0].pk}/?thumb=1" in page
    )
    assert "已通过 3/4" in page and "会议结束（" in page  # step 4 shown disabled, with the reason

    served = worker.get(f"/checklists/photos/{photos[0].pk}/")
    assert served.status_code == 200 and served["Content-Type"] == "image/png"
    assert (
        served["Content-Disposition"] == "inline" and served["X-Content-Type-Options"] == "nosniff"
    )
    assert b"".join(served.streaming_content) == image_bytes()
    thumb = worker.get(f"/checklists/photos/{photos[0].pk}/?thumb=1")
    assert (
        thumb.status_code == 200
        and thumb["Content-Type"] == "image/jpeg"
        and thumb.content[:2] == b"\xff\xd8"
    )

    failed = record(worker, task, 2, "fail", note="光功率 -32 dBm，低于门限")
    assert failed.status_code == 302
    task.refresh_from_db()
    assert task.state == "faulty"
    fault = Fault.objects.get(subject=f"task:{task.pk}")
    page = worker.get(card_url(task)).content.decode()
    assert fault.title in page and "已派单" in page and fault.assigned_department.name in page
    assert f'href="/faults/{fault.pk}/"' in page

    client.force_login(province.user("city0", Role.DISPATCHER))
    restored = client.post(f"/faults/{fault.pk}/restore/", {"note": "更换尾纤"})
    assert restored.status_code == 302
    task.refresh_from_db()
    fault.refresh_from_db()
    assert task.state == "ready" and fault.state == "restored"
    assert "已就绪" in worker.get(card_url(task)).content.decode()
    assert list(TaskTransition.objects.filter(task=task).values_list("to_state", flat=True))[
        -3:
    ] == ["faulty", "restored", "ready"]


# --- refusals: shown on the page, nothing written --------------------------------------------------


def gif() -> SimpleUploadedFile:
    return SimpleUploadedFile("cabinet.gif", image_bytes("GIF"), content_type="image/gif")


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


# --- scope -------------------------------------------------------------------------------------------


def test_another_scope_gets_404_everywhere(task, before, worker, province, client):
    check_in(worker, task)
    record(worker, task, 1, photos=[photo()])
    photo_id = StepPhoto.objects.get().pk
    for key, role in (
        ("township2", Role.SUPPORT),
        ("county2", Role.DISPATCHER),
        ("city1", Role.MANAGER),
    ):
        client.force_login(province.user(key, role))
        assert client.get(card_url(task)).status_code == 404
        assert check_in(client, task).status_code == 404
        assert record(client, task, 2).status_code == 404
        assert client.get(f"/checklists/photos/{photo_id}/").status_code == 404
        assert client.get(f"/checklists/photos/{photo_id}/?thumb=1").status_code == 404
    assert StepResult.objects.count() == 1
    # Up the tree the card and the photo are visible (the county and city of the venue).
    client.force_login(province.user("county0", Role.DISPATCHER))
    assert client.get(card_url(task)).status_code == 200
    assert client.get(f"/checklists/photos/{photo_id}/").status_code == 200


def test_photo_of_a_missing_id_is_404(worker, task):
    assert worker.get("/checklists/photos/999999/").status_code == 404


# --- API ---------------------------------------------------------------------------------------------


def test_api_check_in_and_steps(task, before, province, api_client_for):
    api = api_client_for(province.user("township0", Role.SUPPORT))
    base = f"/api/tasks/{task.pk}"
    checked = api.post(
        f"{base}/check-in", {"lat": 30.27, "lng": "120.15"}, content_type="application/json"
    )
    assert checked.status_code == 200, checked.content
    body = checked.json()["task"]
    assert (
        body["state"] == "on_site"
        and body["check_in_lat"] == 30.27
        and body["checked_in_at"].endswith("+08:00")
    )
    again = api.post(f"{base}/check-in", content_type="application/json")  # no body at all
    assert (
        again.status_code == 200 and again.json()["task"]["checked_in_at"] == body["checked_in_at"]
    )

    one = api.post(
        f"{base}/steps/1",
        {"result": "pass", "note": "UPS 正常", "photos": [photo(), photo("b.jpg", "JPEG")]},
    )
    assert one.status_code == 200, one.content
    step = one.json()["step"]
    assert step["number"] == 1 and step["result"] == "pass" and step["template"] == "venue-r7"
    assert [p["content_type"] for p in step["photos"]] == ["image/png", "image/jpeg"]
    assert step["photos"][0]["url"] == f"/checklists/photos/{step['photos'][0]['id']}/"
    assert one.json()["fault"] is None
    two = api.post(f"{base}/steps/2", {"result": "pass"}, content_type="application/json")
    assert two.status_code == 200 and two.json()["task"]["state"] == "on_site"
    three = api.post(f"{base}/steps/3", {"result": "pass", "photos": [photo()]})
    assert three.json()["task"]["state"] == "ready" and three.json()["task"]["ready_at"]

    failed = api.post(
        f"{base}/steps/3",
        {"result": "fail", "note": "终端无法入会"},
        content_type="application/json",
    )
    assert failed.status_code == 200
    fault = failed.json()["fault"]
    assert failed.json()["task"]["state"] == "faulty" and fault["state"] == "assigned"
    assert (
        fault["assigned_department_name"]
        == Department.objects.get(
            org_unit=province.cities[0], kind=Department.Kind.NETWORK_OPS
        ).name
    )


def test_api_refusals_are_409_and_422(task, before, province, api_client_for):
    api = api_client_for(province.user("township0", Role.SUPPORT))
    base = f"/api/tasks/{task.pk}"

    def post_json(url, data):
        return api.post(url, data, content_type="application/json")

    not_there = post_json(f"{base}/steps/1", {"result": "pass"})
    assert (
        not_there.status_code == 409 and not_there.json()["detail"] == "请先到场签到，再进行检查。"
    )
    bad_place = post_json(f"{base}/check-in", {"lat": "north", "lng": 120})
    assert bad_place.status_code == 422 and bad_place.json()["errors"][0]["field"] == "lat"
    assert post_json(f"{base}/check-in", {"lat": 95, "lng": 120}).status_code == 422
    task.refresh_from_db()
    assert task.checked_in_at is None
    assert post_json(f"{base}/check-in", {}).status_code == 200

    out_of_order = post_json(f"{base}/steps/2", {"result": "pass"})
    assert out_of_order.status_code == 409 and set(out_of_order.json()) == {"detail", "errors"}
    assert post_json(f"{base}/steps/4", {"result": "pass"}).status_code == 409  # before the end
    assert post_json(f"{base}/steps/1", {"result": "maybe"}).status_code == 422
    assert post_json(f"{base}/steps/9", {"result": "pass"}).status_code == 422
    assert post_json(f"{base}/steps/1", {"note": "no result"}).status_code == 422
    assert (
        post_json(f"{base}/steps/1", {"result": "pass", "template": "fibre-r8"}).status_code == 422
    )  # normal meeting
    assert (
        api.post(f"{base}/steps/1", "not json", content_type="application/json").status_code == 400
    )  # unparsable, as for every JSON body
    bad_photo = api.post(f"{base}/steps/1", {"result": "pass", "photos": [gif()]})
    assert bad_photo.status_code == 422 and "JPEG、PNG 或 WebP" in bad_photo.json()["detail"]
    assert not StepResult.objects.exists() and not StepPhoto.objects.exists()


def test_api_other_scope_is_404(task, before, province, api_client_for):
    api = api_client_for(province.user("township2", Role.SUPPORT))
    assert (
        api.post(f"/api/tasks/{task.pk}/check-in", {}, content_type="application/json").status_code
        == 404
    )
    response = api.post(
        f"/api/tasks/{task.pk}/steps/1", {"result": "pass"}, content_type="application/json"
    )
    assert response.status_code == 404 and response.json()["detail"]
    task.refresh_from_db()
    assert task.checked_in_at is None


def test_api_step_honours_idempotency_key(task, before, province, api_client_for):
    api = api_client_for(province.user("township0", Role.SUPPORT))
    api.post(f"/api/tasks/{task.pk}/check-in", {}, content_type="application/json")
    body = {"result": "pass"}
    first = api.post(f"/api/tasks/{task.pk}/steps/2", body, content_type="application/json")
    assert first.status_code == 409  # step 1 first
    api.post(f"/api/tasks/{task.pk}/steps/1", {"result": "pass", "photos": [photo()]})
    headers = {"HTTP_IDEMPOTENCY_KEY": "step-2-a"}
    one = api.post(
        f"/api/tasks/{task.pk}/steps/2", body, content_type="application/json", **headers
    )
    two = api.post(
        f"/api/tasks/{task.pk}/steps/2", body, content_type="application/json", **headers
    )
    assert one.status_code == two.status_code == 200 and two["Idempotent-Replayed"] == "true"
    assert StepResult.objects.filter(step__number=2).count() == 1

"""The field pages on a phone through Django's test client: the task card, the walk (check-in,
checklist steps with photos, a failure that opens a fault, the restore), and scope. (The `task`,
`before` and `worker` fixtures are in conftest.py.)"""

from tests.factories.meetings import published_meeting, task_notice, venue_task
from tests.factories.notifications import ack_token
from vcassure.accounts.models import Role
from vcassure.checklists.models import StepPhoto, StepResult
from vcassure.faults.models import Fault
from vcassure.meetings.models import TaskTransition
from vcassure.meetings.tests.field_helpers import (
    NETOPS_PHONE,
    card_url,
    check_in,
    image_bytes,
    pass_before_steps,
    photo,
    record,
)

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
    # session, user, staff, task, checklists (7: applying and started templates, frozen steps…),
    # faults, department, …
    with django_assert_max_num_queries(16):
        response = worker.get(card_url(task))
    assert response.status_code == 200


def test_my_tasks_and_the_ack_page_link_to_the_card(task, province, worker, client):
    assert f'href="{card_url(task)}"' in worker.get("/meetings/tasks/mine/").content.decode()
    notice = task_notice(task)
    token = ack_token(notice)
    worker.logout()
    done = client.post(f"/ack/{token}").content.decode()
    assert "进入现场工作" in done and f'href="{card_url(task)}"' in done
    # The link is the credential for that task's field pages (test_field_link_pass.py).
    assert client.get(card_url(task)).status_code == 200
    client.cookies.clear()
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
    assert fault.title in page and "待处理" in page and fault.assigned_department.name in page
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

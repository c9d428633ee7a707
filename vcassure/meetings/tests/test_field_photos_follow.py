"""The answer first, its photos after (what the phone's script does on a weak link): a pass that
announced photos counts once they have arrived; a photo is checked like any; without a saved
answer a photo is refused. (`task`, `before`, `worker` fixtures: conftest.py.)"""

from django.core.files.uploadedfile import SimpleUploadedFile

from vcassure.checklists.models import StepResult
from vcassure.meetings.tests.field_helpers import check_in, photo, record, step_url

JSON = {"HTTP_ACCEPT": "application/json"}


def _answer(client, task, number, **data):
    return client.post(step_url(task, number), {"result": "pass", "note": "", **data}, **JSON)


def _photo(client, task, number, upload):
    return client.post(step_url(task, number) + "photos/", {"photo": upload}, **JSON)


def test_a_pass_counts_once_its_photo_arrives(task, before, worker):
    check_in(worker, task)
    saved = _answer(worker, task, 1, note="供电正常", photos_to_follow="1")
    assert saved.status_code == 200 and saved.json()["photos_pending"] == 1
    assert saved.json()["photos_url"].endswith("/steps/venue-r7/1/photos/")
    card = worker.get(saved.json()["next"].split("#")[0]).content.decode()
    assert "张照片未上传完成" in card
    blocked = record(worker, task, 2)
    assert blocked.status_code == 409 and "请先完成第 1 步" in blocked.content.decode()
    # A broken photo is refused and changes nothing; the real one completes the step.
    bad = _photo(worker, task, 1, SimpleUploadedFile("x.jpg", b"not an image", "image/jpeg"))
    assert bad.status_code == 422 and "不是有效的图片" in bad.json()["detail"]
    assert StepResult.objects.get(step__number=1).photos_pending == 1
    done = _photo(worker, task, 1, photo())
    assert done.status_code == 200 and done.json()["photos_pending"] == 0
    result = StepResult.objects.get(step__number=1)
    assert result.note == "供电正常" and result.photos.count() == 1
    assert record(worker, task, 2).status_code == 302
    assert record(worker, task, 3, photos=[photo("join.jpg", "JPEG")]).status_code == 302
    task.refresh_from_db()
    assert task.state == "ready"


def test_the_last_photo_makes_the_task_ready(task, before, worker):
    check_in(worker, task)
    assert record(worker, task, 1, photos=[photo()]).status_code == 302
    assert record(worker, task, 2).status_code == 302
    assert _answer(worker, task, 3, photos_to_follow="2").json()["photos_pending"] == 2
    task.refresh_from_db()
    assert task.state == "on_site"
    _photo(worker, task, 3, photo())
    task.refresh_from_db()
    assert task.state == "on_site"
    _photo(worker, task, 3, photo("b.png"))
    task.refresh_from_db()
    assert task.state == "ready"


def test_a_photo_without_an_answer_is_refused(task, before, worker):
    check_in(worker, task)
    refused = _photo(worker, task, 1, photo())
    assert refused.status_code == 409 and "请先提交此步骤的检查结果" in refused.json()["detail"]


def test_a_refused_answer_comes_back_as_json(task, before, worker):
    check_in(worker, task)
    refused = _answer(worker, task, 1)  # needs a photo, none announced
    assert refused.status_code == 422 and "需要拍照" in refused.json()["detail"]

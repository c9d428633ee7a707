"""The field API: POST /api/tasks/{id}/check-in and POST /api/tasks/{id}/steps/{n}; refusals, scope,
Idempotency-Key. (The `task` and `before` fixtures are in conftest.py.)"""

from vcassure.accounts.models import Role
from vcassure.checklists.models import StepPhoto, StepResult
from vcassure.meetings.tests.field_helpers import gif, photo
from vcassure.orgs.models import Department


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
    assert failed.json()["task"]["state"] == "faulty" and fault["state"] == "open"
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

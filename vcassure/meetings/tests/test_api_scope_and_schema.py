"""The meetings API's scope and roles (another county's meeting is 404 everywhere, following roles
get 403 on writes, no credentials is 401) and its OpenAPI schema. (The `province_api`, `draft` and
`published` fixtures are in conftest.py.)"""

from datetime import timedelta

import pytest

from vcassure.accounts.models import Role
from vcassure.meetings.models import Meeting, MeetingEvent, SupportTask
from vcassure.meetings.tests.api_helpers import meeting_body, post

# --- scope and roles -----------------------------------------------------------------------------


def test_another_countys_meeting_is_404_everywhere(province, tomorrow, api_client_for):
    tree = province
    owner = api_client_for(tree.user("county1"))
    own = post(
        owner,
        "/api/meetings",
        meeting_body(tree, tomorrow, venues=[tree.venues[2].pk], main_venue=...),
    ).json()
    meeting_id = own["id"]
    stranger = api_client_for(tree.user("county0"))
    start, end = tomorrow
    events = MeetingEvent.objects.count()
    for response in [
        stranger.get(f"/api/meetings/{meeting_id}"),
        stranger.get(f"/api/meetings/{meeting_id}/tasks"),
        stranger.get(f"/api/meetings/{meeting_id}/status"),
        stranger.get(f"/api/meetings/{meeting_id}/conflicts"),
        stranger.get(f"/api/meetings/{meeting_id}/plan"),
        post(stranger, f"/api/meetings/{meeting_id}/publish", {"confirm_shortfalls": True}),
        post(
            stranger,
            f"/api/meetings/{meeting_id}/reschedule",
            {
                "starts_at": (start + timedelta(days=1)).isoformat(),
                "ends_at": (end + timedelta(days=1)).isoformat(),
            },
        ),
        post(stranger, f"/api/meetings/{meeting_id}/cancel", {"reason": "试试"}),
        stranger.get("/api/meetings/999999"),
    ]:
        assert response.status_code == 404, response.request
        assert response.json()["detail"]
    assert stranger.get("/api/meetings").json()["count"] == 0
    meeting = Meeting.objects.get(pk=meeting_id)
    assert meeting.state == "draft" and meeting.starts_at == start
    assert MeetingEvent.objects.count() == events and not SupportTask.objects.exists()


def test_involved_unit_may_see_but_not_change(province, published, api_client_for):
    api = api_client_for(province.user("county0"))
    assert api.get(f"/api/meetings/{published.pk}").status_code == 200
    response = post(api, f"/api/meetings/{published.pk}/cancel", {"reason": "不想开"})
    assert response.status_code == 403 and response.json()["detail"]
    assert api.get(f"/api/meetings/{published.pk}/plan").status_code == 403
    published.refresh_from_db()
    assert published.state == "published"


@pytest.mark.parametrize(
    "key,role",
    [("county0", Role.SUPPORT), ("township0", Role.SUPPORT), ("province", Role.READONLY)],
)
def test_roles_that_only_follow_meetings_get_403_on_writes(
    province, tomorrow, published, api_client_for, key, role
):
    api = api_client_for(province.user(key, role))
    start, end = tomorrow
    meetings = Meeting.objects.count()
    for response in [
        post(
            api,
            "/api/meetings",
            meeting_body(province, tomorrow, venues=[province.venues[0].pk], main_venue=...),
        ),
        post(api, f"/api/meetings/{published.pk}/publish", {"confirm_shortfalls": True}),
        post(
            api,
            f"/api/meetings/{published.pk}/reschedule",
            {
                "starts_at": (start + timedelta(days=1)).isoformat(),
                "ends_at": (end + timedelta(days=1)).isoformat(),
            },
        ),
        post(api, f"/api/meetings/{published.pk}/cancel", {"reason": "试试"}),
    ]:
        assert response.status_code == 403
        assert "不能" in response.json()["detail"]
    assert Meeting.objects.count() == meetings
    published.refresh_from_db()
    assert published.state == "published" and published.starts_at == start


def test_unauthenticated_is_401(db, client):
    assert client.get("/api/meetings").status_code == 401
    assert (
        client.post("/api/meetings", data="{}", content_type="application/json").status_code == 401
    )


# --- schema --------------------------------------------------------------------------------------


def test_openapi_lists_every_meetings_path(db, client):
    schema = client.get("/api/openapi.json").json()
    paths = schema["paths"]
    expected = {
        "/api/meetings": {"get", "post"},
        "/api/meetings/{meeting_id}": {"get"},
        "/api/meetings/{meeting_id}/publish": {"post"},
        "/api/meetings/{meeting_id}/reschedule": {"post"},
        "/api/meetings/{meeting_id}/cancel": {"post"},
        "/api/meetings/{meeting_id}/tasks": {"get"},
        "/api/meetings/{meeting_id}/status": {"get"},
        "/api/meetings/{meeting_id}/conflicts": {"get"},
        "/api/meetings/{meeting_id}/plan": {"get"},
        "/api/tasks": {"get"},
    }
    for path, methods in expected.items():
        assert methods <= set(paths[path]), path
    create_params = {p["name"] for p in paths["/api/meetings"]["post"].get("parameters", [])}
    assert "Idempotency-Key" in create_params
    assert {"from", "to", "state", "system", "limit", "offset"} <= {
        p["name"] for p in paths["/api/meetings"]["get"]["parameters"]
    }

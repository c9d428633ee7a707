"""Input that a database refuses must be refused before it gets there (a 4xx, never a 500): NUL
characters (PostgreSQL cannot store or compare them), ids past 64 bits, offsets past the integer
range, times whose offset or year PostgreSQL refuses. schemathesis found each of these."""

import json
from urllib.parse import urlencode

import pytest
from django.test import Client

from vcassure.accounts.services import api_token_create
from vcassure.meetings.models import Meeting

NUL = "\x00"


@pytest.fixture
def api(tree):
    _token, key = api_token_create(user=tree.user("province"))
    return Client(HTTP_AUTHORIZATION=f"Bearer {key}")


def test_nul_characters_are_refused_in_the_api(api, tree):
    for url in (
        f"/api/staff?q=a{NUL}b",
        f"/api/venues?system={NUL}",
        f"/api/meetings?q={NUL}",
        f"/api/org-units?q=x&{NUL}=1",
    ):
        response = api.get(url)
        assert response.status_code == 422, url
        assert response.json()["detail"] and response.json()["errors"][0]["type"] == "nul_character"
    body = {"system": "water", "title": f"会商{NUL}", "importance": "normal"}
    response = api.post("/api/meetings", data=json.dumps(body), content_type="application/json")
    assert response.status_code == 422 and response.json()["errors"][0]["loc"] == ["body"]
    assert not Meeting.objects.exists()
    assert api.get(f"/api/ack/abc{NUL}def").status_code in (404, 422)


def test_nul_characters_are_refused_on_pages(client, tree):
    client.force_login(tree.user("province"))
    assert client.get(f"/org/staff/?q={NUL}").status_code == 400
    assert client.get(f"/venues/?q=a{NUL}").status_code == 400
    assert client.get(f"/meetings/share/tok{NUL}en/").status_code in (400, 404)
    client.logout()
    form = urlencode({"username": f"a{NUL}", "password": "x"})
    assert (
        client.post(
            "/accounts/login/", form, content_type="application/x-www-form-urlencoded"
        ).status_code
        == 400
    )
    # Multipart is left to the forms, whose fields refuse NUL themselves.
    assert (
        client.post("/accounts/login/", {"username": f"a{NUL}", "password": "x"}).status_code == 200
    )
    client.force_login(tree.user("province"))
    # Ordinary input is untouched.
    assert client.get("/org/staff/?q=测试").status_code == 200


@pytest.mark.parametrize(
    "query",
    [
        "parent=99999999999999999999999",
        "parent=-1",
        "offset=9999999999999999999",
        "offset=-1",
        "limit=0",
        "limit=100000",
    ],
)
def test_integers_out_of_range_are_422(api, query):
    assert api.get(f"/api/org-units?{query}").status_code == 422


@pytest.mark.parametrize(
    "bound",
    [
        "to=0024-01-27T14:37:25%2B23:26",
        "from=0001-01-01T00:00:00%2B10:00",
        "to=9999-12-31",
        "from=0001-01-01",
        "to=9999-12-31T23:59:59-12:00",
    ],
)
def test_time_filters_at_the_calendars_edges_are_answered(api, bound):
    response = api.get(f"/api/meetings?{bound}")
    assert response.status_code in (200, 422) and response.json()


def test_times_the_database_cannot_hold_are_422(api, tree):
    body = {
        "system": "water",
        "title": "边界",
        "starts_at": "9999-12-31T23:00:00-10:00",
        "ends_at": "9999-12-31T23:30:00-10:00",
        "notice_ref": "x",
        "venues": [],
    }
    response = api.post("/api/meetings", data=json.dumps(body), content_type="application/json")
    assert response.status_code == 422
    body.update(starts_at="2030-01-01T09:00:00+23:30", ends_at="2030-01-01T11:00:00+23:30")
    response = api.post("/api/meetings", data=json.dumps(body), content_type="application/json")
    assert response.status_code in (201, 422), response.content  # an odd offset, but an instant

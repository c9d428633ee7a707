import json
from datetime import timedelta

import pytest
import time_machine

from tests.factories.meetings import venue_task
from tests.factories.venues import VenueFactory, system
from vcassure.accounts.models import Role
from vcassure.core import clock
from vcassure.core.models import AuditEvent, IdempotencyKey
from vcassure.meetings.models import Meeting, MeetingEvent, MeetingVenue, SupportTask
from vcassure.orgs.models import Staff


def post(api, url, body=None, **headers):
    return api.post(
        url,
        data=json.dumps(body if body is not None else {}),
        content_type="application/json",
        **headers,
    )


def meeting_body(tree, when, **changes):
    start, end = when
    body = {
        "system": "water",
        "title": "防汛会商",
        "starts_at": start.isoformat(),
        "ends_at": end.isoformat(),
        "importance": "normal",
        "notice_ref": "水利〔2026〕12号",
        "main_venue": tree.main_venue.pk,
        "venues": [v.pk for v in tree.venues[:5]],
    }
    body.update(changes)
    return {k: v for k, v in body.items() if v is not ...}


@pytest.fixture
def province_api(province, api_client_for):
    return api_client_for(province.user("province"))


@pytest.fixture
def draft(province, tomorrow, province_api):
    response = post(province_api, "/api/meetings", meeting_body(province, tomorrow))
    assert response.status_code == 201, response.json()
    return Meeting.objects.get(pk=response.json()["id"])


@pytest.fixture
def published(draft, province_api):
    response = post(province_api, f"/api/meetings/{draft.pk}/publish", {})
    assert response.status_code == 200, response.json()
    return draft


# --- create --------------------------------------------------------------------------------------


def test_create_by_ids(province, tomorrow, province_api):
    response = post(
        province_api, "/api/meetings", meeting_body(province, tomorrow, importance="important")
    )
    assert response.status_code == 201
    body = response.json()
    meeting = Meeting.objects.get()
    assert body["id"] == meeting.pk
    assert body["system"] == "water" and body["title"] == "防汛会商" and body["kind"] == "meeting"
    assert body["importance"] == "important" and body["state"] == "draft"
    assert body["main_venue"] == province.main_venue.pk and body["org_unit"] == province.province.pk
    assert body["venue_count"] == 5 and body["has_notice_document"] is False
    assert (
        body["notice_ref"] == "水利〔2026〕12号"
        and body["published_at"] is None
        and body["shortfalls"] == []
    )
    assert body["starts_at"] == tomorrow[0].isoformat() and body["starts_at"].endswith("+08:00")
    assert set(meeting.meeting_venues.values_list("venue_id", flat=True)) == {
        v.pk for v in province.venues[:5]
    }


def test_create_by_venue_filter(province, tomorrow, province_api):
    tree = province
    VenueFactory(
        org_unit=tree.townships[0], system=system("government"), code="G-1"
    )  # another system
    VenueFactory(org_unit=tree.counties[0], code="W-COUNTY0")  # county level: not asked for
    VenueFactory(org_unit=tree.townships[1], code="W-OFF", is_active=False)  # inactive
    body = meeting_body(
        tree,
        tomorrow,
        venues=...,
        main_venue=...,
        venue_filter={
            "levels": ["township"],
            "org_units": [tree.counties[0].pk, tree.cities[1].pk],
        },
    )
    response = post(province_api, "/api/meetings", body)
    assert response.status_code == 201, response.json()
    chosen = set(
        MeetingVenue.objects.filter(meeting_id=response.json()["id"]).values_list(
            "venue_id", flat=True
        )
    )
    assert chosen == {tree.venues[i].pk for i in (0, 1, 4, 5, 6, 7)}
    assert response.json()["venue_count"] == 6


BAD_INPUTS = {
    "end before start": (
        lambda t, s, e: {"ends_at": (s - timedelta(hours=1)).isoformat()},
        "ends_at",
    ),
    "start in the past": (
        lambda t, s, e: {
            "starts_at": (clock.localnow() - timedelta(hours=1)).isoformat(),
            "ends_at": (clock.localnow() + timedelta(hours=1)).isoformat(),
        },
        "starts_at",
    ),
    "venue of another system": (
        lambda t, s, e: {
            "venues": [VenueFactory(org_unit=t.townships[0], system=system("finance")).pk]
        },
        "venues",
    ),
    "unknown venue id": (lambda t, s, e: {"venues": [t.venues[0].pk, 999999]}, "venues"),
    "no venue": (lambda t, s, e: {"venues": []}, "venues"),
    "unknown main venue": (lambda t, s, e: {"main_venue": 999999}, "main_venue"),
    "unknown system": (lambda t, s, e: {"system": "nope"}, "system"),
    "bad importance": (lambda t, s, e: {"importance": "urgent"}, "importance"),
    "bad kind": (lambda t, s, e: {"kind": "party"}, "kind"),
    "missing title": (lambda t, s, e: {"title": ...}, "title"),
    "blank title": (lambda t, s, e: {"title": "   "}, "title"),
    "unknown level in filter": (
        lambda t, s, e: {"venues": ..., "venue_filter": {"levels": ["village"], "org_units": []}},
        "venue_filter.levels",
    ),
    "unknown unit in filter": (
        lambda t, s, e: {"venues": ..., "venue_filter": {"levels": [], "org_units": [999999]}},
        "venue_filter.org_units",
    ),
    "both venues and filter": (
        lambda t, s, e: {"venue_filter": {"levels": ["township"]}},
        "venue_filter",
    ),
}


@pytest.mark.parametrize("case", list(BAD_INPUTS))
def test_bad_input_is_422_with_the_field_and_writes_nothing(province, tomorrow, province_api, case):
    changes, field = BAD_INPUTS[case]
    body = meeting_body(province, tomorrow, **changes(province, *tomorrow))
    before = AuditEvent.objects.count()
    response = post(province_api, "/api/meetings", body)
    assert response.status_code == 422, response.json()
    assert response.json()["detail"]
    assert field in {e["field"] for e in response.json()["errors"]}
    assert all(e["message"] for e in response.json()["errors"])
    assert not Meeting.objects.exists() and not MeetingVenue.objects.exists()
    assert AuditEvent.objects.count() == before


def test_venues_outside_the_callers_scope_are_422(province, tomorrow, api_client_for):
    api = api_client_for(province.user("county0"))
    body = meeting_body(
        province, tomorrow, venues=[province.venues[0].pk, province.venues[4].pk], main_venue=...
    )
    response = post(api, "/api/meetings", body)
    assert response.status_code == 422
    [error] = response.json()["errors"]
    assert error["field"] == "venues" and str(province.venues[4].pk) in error["message"]
    # ... and the province main venue is out of a county's scope too.
    response = post(
        api, "/api/meetings", meeting_body(province, tomorrow, venues=[province.venues[0].pk])
    )
    assert [e["field"] for e in response.json()["errors"]] == ["main_venue"]
    assert not Meeting.objects.exists()


def test_unparsable_json_is_400(province, province_api):
    response = province_api.post("/api/meetings", data="{not json", content_type="application/json")
    assert response.status_code == 400 and response.json()["detail"]
    assert not Meeting.objects.exists()


@pytest.mark.parametrize(
    "body",
    [
        json.dumps({"title": "x"}),  # required fields missing
        json.dumps({"system": "water", "title": "x", "starts_at": "tomorrow"}),
        json.dumps({"system": "water", "title": "x", "venues": "all"}),
    ],
)
def test_ill_typed_body_is_422(province, province_api, body):
    response = province_api.post("/api/meetings", data=body, content_type="application/json")
    assert response.status_code == 422
    assert response.json()["detail"] and response.json()["errors"]
    assert not Meeting.objects.exists()


def test_naive_times_are_refused(province, province_api):
    body = {
        "system": "water",
        "title": "x",
        "starts_at": "2030-01-01T09:00",
        "ends_at": "2030-01-01T10:00",
        "venues": [province.venues[0].pk],
    }
    errors = post(province_api, "/api/meetings", body).json()["errors"]
    assert {tuple(e["loc"])[-1] for e in errors} == {"starts_at", "ends_at"}


# --- read ----------------------------------------------------------------------------------------


def test_list_filters(province, tomorrow, province_api, draft):
    start, end = tomorrow
    later = post(
        province_api,
        "/api/meetings",
        meeting_body(
            province, (start + timedelta(days=3), end + timedelta(days=3)), title="后续会商"
        ),
    ).json()
    post(province_api, f"/api/meetings/{draft.pk}/publish", {})

    def ids(query):
        body = province_api.get(f"/api/meetings{query}").json()
        assert body["count"] == len(body["items"]) or "limit" in query
        return [m["id"] for m in body["items"]]

    assert ids("") == [later["id"], draft.pk]  # latest first
    assert ids("?state=published") == [draft.pk]
    assert ids("?state=draft") == [later["id"]]
    assert ids("?system=water") == [later["id"], draft.pk] and ids("?system=finance") == []
    day = start.date()
    assert ids(f"?from={day}&to={day}") == [draft.pk]
    assert ids(f"?from={(day + timedelta(days=1))}") == [later["id"]]
    assert ids(
        "?"
        + "&".join(
            [
                f"from={(start - timedelta(minutes=1)).isoformat()}".replace("+", "%2B"),
                f"to={(start + timedelta(minutes=1)).isoformat()}".replace("+", "%2B"),
            ]
        )
    ) == [draft.pk]
    assert ids("?limit=1&offset=1") == [draft.pk]
    assert province_api.get("/api/meetings?limit=1").json()["count"] == 2
    assert province_api.get("/api/meetings?state=nonsense").status_code == 422
    item = province_api.get(f"/api/meetings/{draft.pk}").json()
    assert (
        item["state"] == "published"
        and item["published_at"].endswith("+08:00")
        and item["venue_count"] == 5
    )


def test_list_query_count_is_constant(
    province, tomorrow, province_api, django_assert_max_num_queries
):
    for i in range(6):
        post(province_api, "/api/meetings", meeting_body(province, tomorrow, title=f"会{i}"))
    with django_assert_max_num_queries(6):
        assert province_api.get("/api/meetings").json()["count"] == 6


# --- publish -------------------------------------------------------------------------------------


def test_publish_with_shortfalls_needs_confirmation(province, draft, province_api):
    county = province.counties[0]
    Staff.objects.filter(org_unit=county, is_emergency_mobile=True).first().delete()  # R5: 3 → 2
    url = f"/api/meetings/{draft.pk}/publish"
    empty_body = province_api.post(
        url, data="", content_type="application/json"
    )  # no body: not confirmed
    assert empty_body.status_code == 409 and empty_body.json()["shortfalls"]
    response = post(province_api, url, {})
    assert response.status_code == 409
    body = response.json()
    assert body["detail"] and body["shortfalls"] and body["errors"] == body["shortfalls"]
    assert ("staffing_rule", county.pk) in {(s["kind"], s["org_unit"]) for s in body["shortfalls"]}
    assert not SupportTask.objects.filter(meeting=draft).exists()
    draft.refresh_from_db()
    assert draft.state == "draft"

    response = post(province_api, url, {"confirm_shortfalls": True})
    assert response.status_code == 200
    body = response.json()
    assert body["tasks"] == SupportTask.objects.filter(meeting=draft).count() > 0
    assert any(s["org_unit"] == county.pk for s in body["shortfalls"])
    draft.refresh_from_db()
    assert draft.state == "published" and draft.shortfalls == body["shortfalls"]


def test_publish_twice_is_409(published, province_api):
    tasks = SupportTask.objects.filter(meeting=published).count()
    response = post(
        province_api, f"/api/meetings/{published.pk}/publish", {"confirm_shortfalls": True}
    )
    assert response.status_code == 409 and response.json()["detail"]
    assert "shortfalls" not in response.json()
    assert SupportTask.objects.filter(meeting=published).count() == tasks


def test_publish_without_notice_is_422(province, tomorrow, province_api):
    meeting_id = post(
        province_api, "/api/meetings", meeting_body(province, tomorrow, notice_ref="")
    ).json()["id"]
    response = post(
        province_api, f"/api/meetings/{meeting_id}/publish", {"confirm_shortfalls": True}
    )
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["notice_ref"]
    assert not SupportTask.objects.filter(meeting_id=meeting_id).exists()


def test_plan_previews_staffing(province, draft, province_api):
    body = province_api.get(f"/api/meetings/{draft.pk}/plan").json()
    assert body["venue_tasks"] == 6  # main + 5 branch
    assert body["by_assignment"] == {"primary": 6}
    assert body["by_role"]["branch_venue"] == 5 and body["by_role"]["main_venue"] == 1
    assert body["tasks"] == sum(body["by_role"].values()) and body["shortfalls"] == []
    assert not SupportTask.objects.exists()


def test_conflicts(province, tomorrow, province_api, published):
    start, end = tomorrow
    other = post(
        province_api,
        "/api/meetings",
        meeting_body(
            province,
            (start + timedelta(hours=1), end + timedelta(hours=1)),
            venues=[province.venues[0].pk],
            title="第二场",
        ),
    ).json()
    body = province_api.get(f"/api/meetings/{other['id']}/conflicts").json()
    assert [c["venue"] for c in body["venues"]] == [province.venues[0].pk]
    assert {c["meeting"] for c in body["venues"]} == {published.pk}
    assert province.venues[0].primary_staff_id in {p["staff"] for p in body["people"]}


def test_conflicts_hide_meetings_the_caller_may_not_see(
    province, tomorrow, province_api, api_client_for
):
    tree = province
    start, end = tomorrow
    post(
        province_api, "/api/meetings", meeting_body(tree, tomorrow, title="省级草稿")
    )  # a draft: not visible below
    county_api = api_client_for(tree.user("county0"))
    own = post(
        county_api,
        "/api/meetings",
        meeting_body(
            tree,
            (start + timedelta(minutes=30), end),
            venues=[tree.venues[0].pk],
            main_venue=...,
            title="县级",
        ),
    ).json()
    body = county_api.get(f"/api/meetings/{own['id']}/conflicts").json()
    assert [(c["venue"], c["meeting"]) for c in body["venues"]] == [(tree.venues[0].pk, None)]
    assert "省级草稿" not in json.dumps(body, ensure_ascii=False)


# --- reschedule and cancel -----------------------------------------------------------------------


def test_reschedule_and_cancel(province, tomorrow, province_api, published):
    start, end = tomorrow
    new_start, new_end = start + timedelta(days=1), end + timedelta(days=1)
    response = post(
        province_api,
        f"/api/meetings/{published.pk}/reschedule",
        {"starts_at": new_start.isoformat(), "ends_at": new_end.isoformat()},
    )
    assert response.status_code == 200
    assert (
        response.json()["starts_at"] == new_start.isoformat()
        and response.json()["ends_at"] == new_end.isoformat()
    )
    task = SupportTask.objects.filter(meeting=published, kind="venue").first()
    assert task.on_site_due_at == new_start - timedelta(minutes=60)

    bad = post(
        province_api,
        f"/api/meetings/{published.pk}/reschedule",
        {"starts_at": new_end.isoformat(), "ends_at": new_start.isoformat()},
    )
    assert bad.status_code == 422 and [e["field"] for e in bad.json()["errors"]] == ["ends_at"]
    assert (
        post(province_api, f"/api/meetings/{published.pk}/cancel", {"reason": " "}).status_code
        == 422
    )

    response = post(
        province_api, f"/api/meetings/{published.pk}/cancel", {"reason": "客户通知取消"}
    )
    assert response.status_code == 200
    assert (
        response.json()["state"] == "cancelled"
        and response.json()["cancelled_reason"] == "客户通知取消"
    )
    assert set(SupportTask.objects.filter(meeting=published).values_list("state", flat=True)) == {
        "cancelled"
    }

    response = post(
        province_api,
        f"/api/meetings/{published.pk}/reschedule",
        {
            "starts_at": (new_start + timedelta(days=1)).isoformat(),
            "ends_at": (new_end + timedelta(days=1)).isoformat(),
        },
    )
    assert response.status_code == 409 and response.json()["detail"]
    assert (
        post(province_api, f"/api/meetings/{published.pk}/cancel", {"reason": "再次"}).status_code
        == 409
    )


# --- tasks and status ----------------------------------------------------------------------------


def test_meeting_tasks_and_filters(province, published, province_api, api_client_for):
    tree = province
    url = f"/api/meetings/{published.pk}/tasks"
    body = province_api.get(url + "?limit=100").json()
    assert (
        body["count"] == SupportTask.objects.filter(meeting=published).count() == len(body["items"])
    )
    venue_task = next(t for t in body["items"] if t["venue"] == tree.venues[0].pk)
    assert {
        "id",
        "kind",
        "role",
        "venue",
        "department",
        "assignee",
        "assignment",
        "state",
        "on_site_due_at",
        "ready_due_at",
        "shutdown_due_at",
        "acknowledged_at",
        "parent",
        "org_unit",
    } <= set(venue_task)
    assert (
        venue_task["kind"] == "venue"
        and venue_task["role"] == "branch_venue"
        and venue_task["state"] == "pending"
    )
    assert (
        venue_task["assignee"] == tree.venues[0].primary_staff_id
        and venue_task["assignment"] == "primary"
    )
    assert venue_task["on_site_due_at"].endswith("+08:00") and venue_task["acknowledged_at"] is None
    assert venue_task["parent"] is not None and venue_task["org_unit"] == tree.townships[0].pk

    assert province_api.get(url + "?kind=venue").json()["count"] == 6
    assert province_api.get(url + "?kind=coordination").json()["count"] == body["count"] - 6
    county = province_api.get(url + f"?org_unit={tree.counties[0].pk}").json()
    assert {(t["kind"], t["role"]) for t in county["items"]} == {
        ("coordination", "customer"),
        ("coordination", "tech_maintenance"),
        ("venue", "branch_venue"),
    }
    assert county["count"] == 4
    assert province_api.get(url + "?state=pending").json()["count"] == body["count"]
    assert province_api.get(url + "?state=acknowledged").json()["count"] == 0
    assert province_api.get(url + "?state=nonsense").status_code == 422
    # A city sees only its own part of the chain.
    city = api_client_for(tree.user("city1")).get(url).json()
    assert (
        city["count"] == 2 + 2 + 1
    )  # city customer + network ops, county customer + tech maint., 1 venue
    assert {t["org_unit"] for t in city["items"]} <= {
        tree.cities[1].pk,
        tree.counties[2].pk,
        tree.townships[4].pk,
    }


def test_task_list_query_count_is_constant(
    province, published, province_api, django_assert_max_num_queries
):
    with django_assert_max_num_queries(6):
        assert (
            province_api.get(f"/api/meetings/{published.pk}/tasks?limit=100").json()["count"] > 10
        )


def test_status_shape_and_roll_up(province, published, province_api, api_client_for):
    tree = province
    body = province_api.get(f"/api/meetings/{published.pk}/status").json()
    assert set(body) == {"counts", "units", "overdue"}
    assert body["counts"] == {"pending": 6} and body["overdue"] == []
    by_unit = {u["org_unit"]: u for u in body["units"]}
    assert by_unit[tree.cities[0].pk]["counts"] == {"pending": 4}
    assert by_unit[tree.cities[1].pk]["counts"] == {"pending": 1}
    assert (
        by_unit[tree.cities[0].pk]["name"] == tree.cities[0].name
        and by_unit[tree.cities[0].pk]["level"] == "city"
    )

    body = province_api.get(
        f"/api/meetings/{published.pk}/status?org_unit={tree.cities[0].pk}"
    ).json()
    assert {u["org_unit"]: u["counts"] for u in body["units"]} == {
        tree.counties[0].pk: {"pending": 2},
        tree.counties[1].pk: {"pending": 2},
    }
    county_api = api_client_for(tree.user("county0"))
    assert county_api.get(f"/api/meetings/{published.pk}/status").json()["counts"] == {"pending": 2}
    assert (
        county_api.get(
            f"/api/meetings/{published.pk}/status?org_unit={tree.cities[1].pk}"
        ).status_code
        == 404
    )

    with time_machine.travel(published.starts_at - timedelta(minutes=45), tick=False):
        overdue = province_api.get(f"/api/meetings/{published.pk}/status").json()["overdue"]
    assert len(overdue) == 6
    assert {
        "task",
        "venue",
        "venue_name",
        "state",
        "assignee",
        "on_site_due_at",
        "ready_due_at",
    } <= set(overdue[0])


def test_my_tasks(province, published, api_client_for):
    tree = province
    support = tree.user("township0", Role.SUPPORT)
    api = api_client_for(support)
    body = api.get("/api/tasks?mine=true").json()
    mine = venue_task(published, tree.venues[0])
    assert body["count"] == 1 and [t["id"] for t in body["items"]] == [mine.pk]
    assert (
        body["items"][0]["meeting"] == published.pk
        and body["items"][0]["meeting_title"] == "防汛会商"
    )
    assert api.get("/api/tasks?mine=true&state=pending").json()["count"] == 1
    assert api.get("/api/tasks?mine=true&state=acknowledged").json()["count"] == 0
    assert api.get("/api/tasks").json()["count"] == 1  # the township's scope holds only that task
    # A county dispatcher has no task of their own, but sees the county's part of the chain.
    county = api_client_for(tree.user("county0"))
    assert county.get("/api/tasks?mine=true").json()["count"] == 0
    assert county.get("/api/tasks").json()["count"] == 4


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


# --- Idempotency-Key on POST /api/meetings --------------------------------------------------------


def test_idempotency_key_replays_the_first_response(province, tomorrow, province_api):
    body = meeting_body(province, tomorrow)
    first = post(province_api, "/api/meetings", body, HTTP_IDEMPOTENCY_KEY="create-1")
    again = post(province_api, "/api/meetings", body, HTTP_IDEMPOTENCY_KEY="create-1")
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    assert (
        again.headers["Idempotent-Replayed"] == "true"
        and "Idempotent-Replayed" not in first.headers
    )
    assert Meeting.objects.count() == 1 and MeetingEvent.objects.count() == 1

    other = post(
        province_api,
        "/api/meetings",
        {**body, "title": "另一个会"},
        HTTP_IDEMPOTENCY_KEY="create-1",
    )
    assert other.status_code == 422
    assert "Idempotency-Key" in other.json()["detail"] and "不同" in other.json()["detail"]
    assert Meeting.objects.count() == 1


def test_idempotency_key_is_per_user_and_optional(province, tomorrow, province_api, api_client_for):
    body = meeting_body(province, tomorrow)
    admin = api_client_for(province.user("province", Role.ADMIN))
    assert post(province_api, "/api/meetings", body, HTTP_IDEMPOTENCY_KEY="k").status_code == 201
    assert post(admin, "/api/meetings", body, HTTP_IDEMPOTENCY_KEY="k").status_code == 201
    assert Meeting.objects.count() == 2
    assert post(province_api, "/api/meetings", body).status_code == 201
    assert post(province_api, "/api/meetings", body).status_code == 201
    assert Meeting.objects.count() == 4


def test_a_refused_request_does_not_hold_its_key(province, tomorrow, province_api):
    bad = meeting_body(province, tomorrow, title="")
    assert (
        post(province_api, "/api/meetings", bad, HTTP_IDEMPOTENCY_KEY="retry-me").status_code == 422
    )
    assert not IdempotencyKey.objects.exists()
    good = post(
        province_api,
        "/api/meetings",
        meeting_body(province, tomorrow),
        HTTP_IDEMPOTENCY_KEY="retry-me",
    )
    assert good.status_code == 201 and Meeting.objects.count() == 1
    assert IdempotencyKey.objects.get().status_code == 201


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

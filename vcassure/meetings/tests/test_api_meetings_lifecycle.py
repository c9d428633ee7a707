"""The meetings API after creation: list and read, publish (shortfalls, twice, without a notice),
the staffing plan, conflicts, reschedule and cancel. (The `province_api`, `draft` and `published`
fixtures are in conftest.py.)"""

import json
from datetime import timedelta

from vcassure.meetings.models import SupportTask
from vcassure.meetings.tests.api_helpers import meeting_body, post
from vcassure.orgs.models import Staff

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

"""The meetings API's task views: a meeting's tasks and their filters, the status roll-up with
overdue tasks, and my tasks. (The `province_api`, `draft` and `published` fixtures are in
conftest.py.)"""

from datetime import timedelta

import time_machine

from tests.factories.meetings import venue_task
from vcassure.accounts.models import Role
from vcassure.meetings.models import SupportTask

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

"""The routine endpoints of SPEC §6.2: plans, inspections and their steps, in the caller's scope
(another county's plan or inspection is a 404); a failed step opens a minor fault."""

import json
from datetime import date

import pytest

from vcassure.accounts.models import Role
from vcassure.faults.models import Fault
from vcassure.routine.models import Inspection, InspectionPlan
from vcassure.routine.services import inspections_generate


def post(client, url, body, **headers):
    return client.post(url, json.dumps(body), content_type="application/json", **headers)


@pytest.fixture
def county_plan(province, make_plan):
    """County 0's own plan (its two township venues) and one of the province's, generated."""
    county = province.user("county0", Role.DISPATCHER)
    own = make_plan(
        by=county, name="一县巡检", venue_filter=None, venues=[v.pk for v in province.venues[:2]]
    )
    make_plan(name="全省巡检")
    inspections_generate(day=date(2026, 10, 9))
    return own


def test_a_plan_is_created_through_the_api(province, api_client_for, inspection_template):
    client = api_client_for(province.user("city0", Role.DISPATCHER))
    body = {
        "name": "一市每周巡检",
        "system": "water",
        "venue_filter": {"levels": ["township"], "org_units": [province.counties[0].pk]},
        "frequency": "weekly",
        "weekdays": [0, 3],
        "checklist_template": inspection_template.code,
        "due_time": "10:30",
    }
    response = post(client, "/api/inspection-plans", body, HTTP_IDEMPOTENCY_KEY="k1")
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["frequency"] == "weekly" and data["weekdays"] == [0, 3]
    assert data["due_time"] == "10:30:00" and data["checklist_template"] == "test-inspection"
    again = post(client, "/api/inspection-plans", body, HTTP_IDEMPOTENCY_KEY="k1")
    assert again.json()["id"] == data["id"] and InspectionPlan.objects.count() == 1
    listing = client.get("/api/inspection-plans").json()
    assert listing["count"] == 1 and listing["items"][0]["name"] == "一市每周巡检"


def test_bad_plans_are_refused_with_every_problem_named(province, api_client_for):
    client = api_client_for(province.user("city0", Role.DISPATCHER))
    response = post(
        client,
        "/api/inspection-plans",
        {
            "name": "",
            "system": "water",
            "frequency": "weekly",
            "checklist_template": "no-such",
            "due_time": "10:00",
            "venues": [province.venues[7].pk],  # another city's venue
        },
    )
    assert response.status_code == 422
    fields = {e["field"] for e in response.json()["errors"]}
    assert {"name", "weekdays", "checklist_template", "venues"} <= fields
    assert not InspectionPlan.objects.exists()


def test_scope_another_countys_plans_and_inspections_are_404(province, county_plan, api_client_for):
    other = api_client_for(province.user("county2", Role.DISPATCHER))
    own = api_client_for(province.user("county0", Role.DISPATCHER))
    inspection = Inspection.objects.filter(plan=county_plan).first()
    assert other.get(f"/api/inspection-plans/{county_plan.pk}").status_code == 404
    assert own.get(f"/api/inspection-plans/{county_plan.pk}").status_code == 200
    assert other.get(f"/api/inspections/{inspection.pk}").status_code == 404
    step = post(other, f"/api/inspections/{inspection.pk}/steps/1", {"result": "pass"})
    assert step.status_code == 404
    # Plans belong to the unit that made them; inspections to their venue's unit.
    assert other.get("/api/inspection-plans").json()["count"] == 0
    names = {i["venue_name"] for i in other.get("/api/inspections").json()["items"]}
    assert names and all("1市1县" not in n for n in names)


def test_the_person_does_their_inspection_and_a_failure_opens_a_minor_fault(
    province, county_plan, api_client_for
):
    inspection = Inspection.objects.filter(plan=county_plan).first()
    person = api_client_for(inspection.assignee.user)
    mine = person.get(f"/api/inspections?mine=true&plan={county_plan.pk}").json()
    assert [i["id"] for i in mine["items"]] == [inspection.pk]
    url = f"/api/inspections/{inspection.pk}/steps"
    assert post(person, f"{url}/1", {"result": "pass"}).status_code == 200
    missing = post(person, f"{url}/2", {"result": "pass"})
    assert missing.status_code == 422 and "需要填写读数" in missing.json()["detail"]
    low = post(person, f"{url}/2", {"result": "pass", "reading": -31.2})
    assert low.status_code == 200
    data = low.json()
    assert data["result"] == "fail" and data["note"].startswith("收光功率 -31.2 dBm 超出允许范围")
    fault = Fault.objects.get(pk=data["fault"])
    assert (fault.source, fault.severity) == ("inspection", "minor")
    assert fault.subject == f"inspection:{inspection.pk}"
    assert data["inspection"]["state"] == "faulty"
    ok = post(person, f"{url}/2", {"result": "pass", "reading": -18})
    assert ok.json()["inspection"]["state"] == "done"

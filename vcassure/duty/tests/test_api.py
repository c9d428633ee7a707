"""SPEC §6.2 duty endpoints: paths, fields, scope (another county's period or shift is a 404) and
the rule named when an assignment would break it."""

import json
from datetime import timedelta

import time_machine

from tests.factories.duty import make_period, next_monday
from vcassure.duty.models import Shift, SpecialPeriod

SHIFT_FIELDS = {
    "id",
    "venue",
    "starts_at",
    "ends_at",
    "assignee",
    "checked_in_at",
    "checked_out_at",
}


def post(client, url, body, **headers):
    return client.post(url, json.dumps(body), content_type="application/json", **headers)


def test_create_a_period_by_filter_and_list_it(province, api_client_for):
    client = api_client_for(province.user("city0"))
    start = next_monday()
    body = {
        "name": "两会保障",
        "starts_on": start.isoformat(),
        "ends_on": (start + timedelta(days=1)).isoformat(),
        "mode": "duty_hours",
        "duty_hours": [{"start": "08:00", "end": "20:00"}],
        "shift_hours": 12,
        "venue_filter": {"levels": ["township"], "org_units": [province.counties[0].pk]},
    }
    response = post(client, "/api/special-periods", body, HTTP_IDEMPOTENCY_KEY="k1")
    assert response.status_code == 201, response.content
    data = response.json()
    assert {"name", "starts_on", "ends_on", "mode", "duty_hours", "shift_hours", "venues"} <= set(
        data
    )
    assert data["duty_hours"] == [{"start": "08:00", "end": "20:00"}]
    assert sorted(data["venues"]) == sorted(v.pk for v in province.venues[:2])
    again = post(client, "/api/special-periods", body, HTTP_IDEMPOTENCY_KEY="k1")
    assert again.json()["id"] == data["id"]
    assert SpecialPeriod.objects.count() == 1
    listed = client.get("/api/special-periods").json()
    assert listed["count"] == 1 and listed["items"][0]["id"] == data["id"]
    shifts = client.get(f"/api/special-periods/{data['id']}/shifts").json()
    assert shifts["count"] == 4  # two venues, two days, one 12-hour shift a day
    assert set(shifts["items"][0]) >= SHIFT_FIELDS
    assert shifts["items"][0]["starts_at"].endswith("+08:00")
    assert shifts["items"][0]["starts_at"][11:16] == "08:00"


def test_bad_body_names_the_field(province, api_client_for):
    client = api_client_for(province.user("province"))
    response = post(
        client,
        "/api/special-periods",
        {
            "name": "x",
            "starts_on": next_monday().isoformat(),
            "ends_on": next_monday().isoformat(),
            "shift_hours": 10,
            "venues": [province.venues[0].pk],
        },
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "shift_hours"
    assert not Shift.objects.exists()


def test_uncovered_filter(province, api_client_for):
    period = make_period(province.user("province"), province.venues[:1], suggest=False)
    client = api_client_for(province.user("province"))
    total = client.get(f"/api/special-periods/{period.pk}/shifts").json()["count"]
    uncovered = client.get(f"/api/special-periods/{period.pk}/shifts?uncovered=true").json()
    assert total == 9 and uncovered["count"] == 9
    shift = Shift.objects.filter(period=period).first()
    response = client.patch(
        f"/api/shifts/{shift.pk}",
        json.dumps({"assignee": province.venues[0].primary_staff_id}),
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["assignee"] == province.venues[0].primary_staff_id
    assert (
        client.get(f"/api/special-periods/{period.pk}/shifts?uncovered=true").json()["count"] == 8
    )


def test_a_rule_breaking_assignment_is_a_409_naming_the_rule(province, api_client_for):
    period = make_period(province.user("province"), province.venues[:1], suggest=False)
    client = api_client_for(province.user("province"))
    first, second = Shift.objects.filter(period=period).order_by("starts_at")[:2]
    person = province.venues[0].primary_staff_id
    for shift, status in ((first, 200), (second, 409)):
        response = client.patch(
            f"/api/shifts/{shift.pk}",
            json.dumps({"assignee": person}),
            content_type="application/json",
        )
        assert response.status_code == status
    assert "连续值班不能超过 12 小时" in response.json()["detail"]
    assert response.json()["errors"][0]["rule"] == "连续值班不能超过 12 小时"
    second.refresh_from_db()
    assert second.assignee_id is None


def test_another_countys_period_and_shifts_are_404(province, api_client_for):
    period = make_period(province.user("county0"), province.venues[:2])
    shift = Shift.objects.filter(period=period).first()
    other = api_client_for(province.user("county2"))
    assert other.get(f"/api/special-periods/{period.pk}").status_code == 404
    assert other.get(f"/api/special-periods/{period.pk}/shifts").status_code == 404
    assert other.get(f"/api/shifts/{shift.pk}").status_code == 404
    assert (
        other.patch(
            f"/api/shifts/{shift.pk}",
            json.dumps({"assignee": None}),
            content_type="application/json",
        ).status_code
        == 404
    )
    assert post(other, f"/api/shifts/{shift.pk}/check-in", {}).status_code == 404
    assert other.get("/api/special-periods").json()["count"] == 0
    # The city above sees it.
    assert (
        api_client_for(province.user("city0")).get(f"/api/special-periods/{period.pk}").status_code
        == 200
    )


def test_a_province_period_shows_a_county_only_its_own_shifts(province, api_client_for):
    period = make_period(province.user("province"), province.venues[:8])
    county = api_client_for(province.user("county0"))
    assert county.get(f"/api/special-periods/{period.pk}").status_code == 200
    shifts = county.get(f"/api/special-periods/{period.pk}/shifts?limit=100").json()
    assert {s["venue"] for s in shifts["items"]} == {province.venues[0].pk, province.venues[1].pk}


def test_check_in_and_out_of_my_shift(province, api_client_for):
    period = make_period(province.user("province"), province.venues[:1])
    shift = Shift.objects.filter(period=period).order_by("starts_at").first()
    person = shift.assignee
    assert person.user is not None  # the township's person, a login
    client = api_client_for(person.user)
    mine = client.get("/api/shifts?mine=true").json()
    assert shift.pk in {s["id"] for s in mine["items"]}
    with time_machine.travel(shift.starts_at + timedelta(minutes=5), tick=False):
        response = post(client, f"/api/shifts/{shift.pk}/check-in", {"lat": 30.1, "lng": 120.2})
        assert response.status_code == 200, response.content
        assert response.json()["checked_in_at"] is not None
    with time_machine.travel(shift.ends_at, tick=False):
        response = post(client, f"/api/shifts/{shift.pk}/check-out", {})
        assert response.status_code == 200
        assert response.json()["checked_out_at"].endswith("+08:00")
    # Someone else's shift: not theirs to check in.
    dispatcher = api_client_for(province.user("province"))
    assert post(dispatcher, f"/api/shifts/{shift.pk}/check-in", {}).status_code == 403


def test_staff_detail_has_calendar_url_for_the_person_and_administrators(province, api_client_for):
    person = province.venues[0].primary_staff
    own = api_client_for(person.user).get(f"/api/staff/{person.pk}").json()
    assert own["calendar_url"].endswith(".ics")
    admin = api_client_for(province.user("province", "admin")).get(f"/api/staff/{person.pk}").json()
    assert admin["calendar_url"] == own["calendar_url"]
    dispatcher = api_client_for(province.user("county0")).get(f"/api/staff/{person.pk}").json()
    assert dispatcher["calendar_url"] is None

"""POST /api/meetings: creating by venue ids or by a venue filter, bad input (422 with the field,
nothing written), unparsable and ill-typed bodies, and the Idempotency-Key. (The `province_api`,
`draft` and `published` fixtures are in conftest.py.)"""

import json
from datetime import timedelta

import pytest

from tests.factories.venues import VenueFactory, system
from vcassure.accounts.models import Role
from vcassure.core import clock
from vcassure.core.models import AuditEvent, IdempotencyKey
from vcassure.meetings.models import Meeting, MeetingEvent, MeetingVenue
from vcassure.meetings.tests.api_helpers import meeting_body, post

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

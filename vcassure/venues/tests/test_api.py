import pytest

from tests.factories.venues import EquipmentFactory, VenueFactory, system


@pytest.fixture
def venues(tree):
    made = {}
    for i, town in enumerate(tree.townships):
        made[i] = VenueFactory(org_unit=town, code=f"W-{town.code}", name=f"{town.name}水利分会场")
    made["gov"] = VenueFactory(
        org_unit=tree.townships[0], system=system("government"), code="G-1", name="政务分会场"
    )
    made["city"] = VenueFactory(org_unit=tree.cities[0], code="W-CITY1", name="测试1市水利局分会场")
    EquipmentFactory(venue=made[0])
    return made


def test_systems(tree, api_client_for):
    body = api_client_for(tree.user("province")).get("/api/systems").json()
    assert {s["code"] for s in body["items"]} >= {"water", "finance", "government", "general"}
    assert body["count"] == len(body["items"])


def test_systems_are_paginated_like_every_list(tree, api_client_for):
    api = api_client_for(tree.user("province"))
    everything = api.get("/api/systems?limit=500").json()
    page = api.get("/api/systems?limit=2&offset=1").json()
    assert page["count"] == everything["count"] >= 4
    assert page["items"] == everything["items"][1:3]
    assert set(page["items"][0]) == {"code", "name"}
    assert api.get("/api/systems?limit=0").status_code == 422


def test_venue_list_filters_and_shape(tree, venues, api_client_for):
    api = api_client_for(tree.user("province"))
    body = api.get("/api/venues?system=water&level=township").json()
    assert body["count"] == 8
    item = body["items"][0]
    assert {
        "id",
        "code",
        "name",
        "system",
        "org_unit",
        "role",
        "primary_staff",
        "backup_staff",
    } <= set(item)
    assert item["system"] == "water" and item["role"] == "branch"
    assert (
        api.get(f"/api/venues?org_unit={tree.cities[0].pk}").json()["count"] == 1 + 4 + 1
    )  # city + 4 townships + gov
    assert api.get("/api/venues?q=政务").json()["count"] == 1


def test_venue_scope(tree, venues, api_client_for):
    api = api_client_for(tree.user("county0"))
    assert {v["code"] for v in api.get("/api/venues").json()["items"]} == {
        venues[0].code,
        venues[1].code,
        "G-1",
    }
    assert api.get(f"/api/venues/{venues[0].pk}").json()["equipment"][0]["model"] == "华为 TE40"
    assert api.get(f"/api/venues/{venues[2].pk}").status_code == 404
    assert api.get(f"/api/venues/{venues['city'].pk}").status_code == 404

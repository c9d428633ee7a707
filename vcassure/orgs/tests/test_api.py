from vcassure.accounts.models import Role
from vcassure.core.models import AuditEvent
from vcassure.orgs.models import Staff


def test_missing_or_forged_token_is_401(tree, client):
    assert client.get("/api/org-units").status_code == 401
    response = client.get("/api/org-units", HTTP_AUTHORIZATION="Bearer vca_forged")
    assert response.status_code == 401
    assert response.json()["detail"]


def test_org_units_paginated_and_scoped(tree, api_client_for):
    api = api_client_for(tree.user("province"))
    body = api.get("/api/org-units?limit=5&offset=0").json()
    assert body["count"] == 15 and len(body["items"]) == 5
    assert set(body["items"][0]) == {"id", "code", "name", "level", "parent"}

    county_api = api_client_for(tree.user("county0"))
    codes = {u["code"] for u in county_api.get("/api/org-units").json()["items"]}
    assert codes == {tree.counties[0].code, tree.townships[0].code, tree.townships[1].code}


def test_org_unit_filters(tree, api_client_for):
    api = api_client_for(tree.user("province"))
    body = api.get(f"/api/org-units?level=township&parent={tree.counties[1].pk}").json()
    assert [u["code"] for u in body["items"]] == [tree.townships[2].code, tree.townships[3].code]
    assert (
        api.get("/api/org-units?q=测试2市").json()["count"] == 1 + 2 + 4
    )  # the city, its counties, their townships
    assert api.get("/api/org-units?level=galaxy").status_code == 422


def test_other_scope_org_unit_is_404(tree, api_client_for):
    api = api_client_for(tree.user("county0"))
    assert api.get(f"/api/org-units/{tree.counties[0].pk}").status_code == 200
    response = api.get(f"/api/org-units/{tree.counties[1].pk}")
    assert response.status_code == 404
    assert response.json() == {"detail": "未找到。", "errors": []}
    assert api.get("/api/org-units/999999").status_code == 404


def test_staff_phone_masked_for_support_role(tree, api_client_for):
    api = api_client_for(tree.user("county0", Role.SUPPORT))
    items = api.get("/api/staff").json()["items"]
    assert items and all("****" in s["mobile"] for s in items)


def test_staff_phone_shown_to_dispatcher_and_audited(tree, api_client_for):
    user = tree.user("county0")
    api = api_client_for(user)
    staff = Staff.objects.filter(org_unit=tree.townships[0]).first()
    body = api.get(f"/api/staff/{staff.pk}").json()
    assert body["mobile"] == staff.mobile
    assert AuditEvent.objects.filter(
        action="staff.phone_reveal", actor=user, object_id=str(staff.pk)
    ).exists()


def test_other_scope_staff_is_404(tree, api_client_for):
    api = api_client_for(tree.user("county0"))
    other = Staff.objects.filter(org_unit=tree.townships[2]).first()
    assert api.get(f"/api/staff/{other.pk}").status_code == 404
    assert other.pk not in {s["id"] for s in api.get("/api/staff?limit=500").json()["items"]}


def test_staff_search(tree, api_client_for):
    api = api_client_for(tree.user("province"))
    body = api.get("/api/staff?q=测试1市1县1镇").json()
    assert body["count"] == 1 and body["items"][0]["org_unit"] == tree.townships[0].pk


def test_openapi_schema_lists_contract_paths(tree, client):
    schema = client.get("/api/openapi.json").json()
    for path in [
        "/api/health",
        "/api/systems",
        "/api/org-units",
        "/api/org-units/{unit_id}",
        "/api/staff",
        "/api/staff/{staff_id}",
        "/api/venues",
        "/api/venues/{venue_id}",
    ]:
        assert path in schema["paths"], path

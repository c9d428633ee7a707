import json

from vcassure.accounts.models import Role
from vcassure.core.models import AuditEvent
from vcassure.notifications.models import ImGroup

DT_URL = "https://oapi.dingtalk.com/robot/send?access_token=abc123"


def post(api, url, body, **extra):
    return api.post(url, data=json.dumps(body), content_type="application/json", **extra)


def test_create_list_patch_group(tree, api_client_for):
    api = api_client_for(tree.user("city0"))
    response = post(
        api,
        "/api/im-groups",
        {
            "platform": "dingtalk",
            "name": "测试1市钉钉保障群",
            "webhook_url": DT_URL,
            "secret": "SECxyz1234",
            "org_unit": tree.cities[0].pk,
            "purpose": "support",
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["secret"] == "****1234" and body["org_unit"] == tree.cities[0].pk
    assert api.get("/api/im-groups").json()["count"] == 1
    patched = api.patch(
        f"/api/im-groups/{body['id']}",
        data=json.dumps({"is_active": False}),
        content_type="application/json",
    )
    assert patched.status_code == 200 and patched.json()["is_active"] is False
    assert AuditEvent.objects.filter(action="im_group.create").count() == 1
    assert "SECxyz1234" not in json.dumps(
        list(AuditEvent.objects.values_list("changes", flat=True))
    )


def test_bad_group_input_is_specific_and_writes_nothing(tree, api_client_for):
    api = api_client_for(tree.user("city0"))
    response = post(
        api,
        "/api/im-groups",
        {
            "platform": "wecom",
            "name": "企业微信群",
            "webhook_url": "https://qyapi.weixin.qq.com/cgi-bin/webhook/send",
            "org_unit": tree.cities[0].pk,
        },
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "webhook_url"
    response = post(
        api,
        "/api/im-groups",
        {"platform": "dingtalk", "name": "x", "webhook_url": DT_URL, "org_unit": tree.cities[1].pk},
    )
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "org_unit"
    assert (
        post(
            api,
            "/api/im-groups",
            {"platform": "qq", "name": "x", "webhook_url": DT_URL, "org_unit": tree.cities[0].pk},
        ).status_code
        == 422
    )
    assert not ImGroup.objects.exists()


def test_other_scope_group_is_404_and_support_role_403(tree, api_client_for):
    group = ImGroup.objects.create(
        platform="dingtalk", name="二市群", webhook_url=DT_URL, org_unit=tree.cities[1]
    )
    api = api_client_for(tree.user("city0"))
    assert api.get(f"/api/im-groups/{group.pk}").status_code == 404
    assert (
        api.patch(
            f"/api/im-groups/{group.pk}",
            data=json.dumps({"name": "改名"}),
            content_type="application/json",
        ).status_code
        == 404
    )
    group.refresh_from_db()
    assert group.name == "二市群"
    support = api_client_for(tree.user("city1", Role.SUPPORT))
    assert (
        support.patch(
            f"/api/im-groups/{group.pk}",
            data=json.dumps({"name": "改名"}),
            content_type="application/json",
        ).status_code
        == 403
    )


def test_group_may_serve_departments_of_its_subtree_only(tree, api_client_for):
    from vcassure.orgs.models import Department

    api = api_client_for(tree.user("city0"))
    own = Department.objects.get(org_unit=tree.counties[0], kind="tech_maintenance")
    other = Department.objects.get(org_unit=tree.counties[2], kind="tech_maintenance")
    body = {
        "platform": "dingtalk",
        "name": "一县技术维护群",
        "webhook_url": DT_URL,
        "org_unit": tree.cities[0].pk,
    }
    created = post(api, "/api/im-groups", {**body, "departments": [own.pk]})
    assert created.status_code == 201 and created.json()["departments"] == [own.pk]
    refused = post(api, "/api/im-groups", {**body, "name": "越界", "departments": [other.pk]})
    assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == "departments"
    assert ImGroup.objects.count() == 1


def test_a_null_in_a_patch_leaves_the_field_unchanged(tree, api_client_for):
    group = ImGroup.objects.create(
        platform="dingtalk",
        name="一市群",
        webhook_url=DT_URL,
        secret="SECkeep",
        org_unit=tree.cities[0],
    )
    api = api_client_for(tree.user("city0"))
    response = api.patch(
        f"/api/im-groups/{group.pk}",
        data=json.dumps({"secret": None, "name": None, "is_active": False}),
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    group.refresh_from_db()
    assert group.secret == "SECkeep" and group.name == "一市群" and not group.is_active

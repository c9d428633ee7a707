"""The IM group pages: the list with trouble highlighted and the secret masked, create and edit, bad
input beside its field, scope, the test message."""

from datetime import timedelta

from vcassure.accounts.models import Role
from vcassure.core import clock
from vcassure.core.models import AuditEvent
from vcassure.notifications.models import Delivery, ImGroup
from vcassure.notifications.tests.pages_helpers import (
    DT_URL,
    GROUP_NEW,
    GROUPS,
    WECOM_URL,
    group,
    login,
)

# --- IM groups ------------------------------------------------------------------------------


def test_group_list_highlights_trouble_and_masks_the_secret(tree, client):
    group(
        tree.cities[0],
        name="故障群",
        secret="SECabcdef9876",
        needs_attention=True,
        last_error="310000 sign not match",
        paused_until=clock.now() + timedelta(minutes=10),
    )
    page = login(client, tree.user("province")).get(GROUPS).content.decode()
    assert "故障群" in page and "row-attention" in page and "需管理员处理" in page
    assert "310000 sign not match" in page and "暂停至" in page
    assert "****9876" in page and "SECabcdef9876" not in page and "发送测试消息" in page


def test_group_create_and_edit_keeps_the_secret_when_left_blank(tree, client):
    login(client, tree.user("city0"))
    response = client.post(
        GROUP_NEW,
        {
            "name": "一市钉钉保障群",
            "platform": "dingtalk",
            "webhook_url": DT_URL,
            "secret": "SECsecret1234",
            "org_unit": tree.cities[0].pk,
            "purpose": "support",
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    g = ImGroup.objects.get()
    assert g.secret == "SECsecret1234" and g.org_unit == tree.cities[0] and g.is_active
    form = client.get(f"/notifications/groups/{g.pk}/edit/").content.decode()
    assert "SECsecret1234" not in form and "****1234" in form
    response = client.post(
        f"/notifications/groups/{g.pk}/edit/",
        {
            "name": "一市钉钉群(新)",
            "platform": "dingtalk",
            "webhook_url": DT_URL,
            "secret": "",
            "org_unit": tree.cities[0].pk,
            "purpose": "supervisors",
        },
    )
    assert response.status_code == 302
    g.refresh_from_db()
    assert (
        g.name == "一市钉钉群(新)"
        and g.secret == "SECsecret1234"
        and g.purpose == "supervisors"
        and not g.is_active
    )
    assert AuditEvent.objects.filter(action="im_group.update").exists()


def test_group_bad_input_shows_the_field_error_and_writes_nothing(tree, client):
    login(client, tree.user("city0"))
    response = client.post(
        GROUP_NEW,
        {
            "name": "企业微信群",
            "platform": "wecom",
            "webhook_url": "https://qyapi.weixin.qq.com/cgi-bin/webhook/send",
            "org_unit": tree.cities[0].pk,
            "purpose": "support",
        },
    )
    assert response.status_code == 400
    page = response.content.decode()
    field = page[page.index('id="field-webhook_url"') : page.index('id="field-secret"')]
    assert (
        '<div class="field has-error" id="field-webhook_url">' in page
        and "企业微信机器人地址应包含 key 参数。" in field
    )
    response = client.post(
        GROUP_NEW,
        {
            "name": "x",
            "platform": "dingtalk",
            "webhook_url": DT_URL,
            "org_unit": tree.cities[1].pk,
            "purpose": "support",
        },
    )
    assert (
        response.status_code == 400
        and "组织单元不存在或不在您的管辖范围内。" in response.content.decode()
    )
    assert not ImGroup.objects.exists() and not AuditEvent.objects.exists()

    g = group(tree.cities[0], name="原名", secret="SECold0000")
    response = client.post(
        f"/notifications/groups/{g.pk}/edit/",
        {
            "name": "新名",
            "platform": "dingtalk",
            "webhook_url": "https://oapi.dingtalk.com/robot/send",
            "org_unit": tree.cities[0].pk,
            "purpose": "support",
            "is_active": "on",
        },
    )
    assert (
        response.status_code == 400
        and "钉钉机器人地址应包含 access_token 参数。" in response.content.decode()
    )
    g.refresh_from_db()
    assert g.name == "原名" and g.webhook_url == DT_URL and g.secret == "SECold0000"


def test_another_scopes_group_is_404_and_unchanged(tree, client):
    g = group(tree.cities[1], name="二市群")
    login(client, tree.user("city0"))
    assert client.get(f"/notifications/groups/{g.pk}/edit/").status_code == 404
    response = client.post(
        f"/notifications/groups/{g.pk}/edit/",
        {
            "name": "改名",
            "platform": "dingtalk",
            "webhook_url": DT_URL,
            "org_unit": tree.cities[0].pk,
            "purpose": "support",
        },
    )
    assert response.status_code == 404
    assert client.post(f"/notifications/groups/{g.pk}/test/").status_code == 404
    g.refresh_from_db()
    assert g.name == "二市群" and not Delivery.objects.exists()
    assert "二市群" not in client.get(GROUPS).content.decode()
    manager = login(client, tree.user("city1", Role.MANAGER))
    assert manager.get(GROUPS).status_code == 200  # may look…
    assert manager.get(f"/notifications/groups/{g.pk}/edit/").status_code == 403  # …not change


def test_test_message_is_queued_to_that_group(tree, client):
    g = group(tree.cities[0], name="一市企业微信群", platform="wecom", url=WECOM_URL)
    login(client, tree.user("city0"))
    response = client.post(f"/notifications/groups/{g.pk}/test/", follow=True)
    assert "已将一条测试消息加入发送队列" in response.content.decode()
    d = Delivery.objects.get()
    assert (
        d.group == g
        and d.topic == f"test:{g.pk}"
        and d.channel == "wecom_robot"
        and d.status == "queued"
    )
    assert AuditEvent.objects.filter(action="im_group.test", object_id=str(g.pk)).exists()

"""The demo inbox page: 404 unless enabled, and what the started fakes received, newest first."""

from vcassure.accounts.models import Role
from vcassure.notifications import demo, outbox, services
from vcassure.notifications.channels import base
from vcassure.notifications.channels.base import Message, Recipient, Target
from vcassure.notifications.models import Delivery
from vcassure.notifications.tests.pages_helpers import DEMO, HTMX, group, login

# --- demo inbox ------------------------------------------------------------------------------


def test_demo_inbox_is_404_unless_enabled(tree, client, settings):
    settings.DEBUG = False
    if hasattr(settings, "DEMO_FAKES_ENABLED"):
        del settings.DEMO_FAKES_ENABLED
    assert login(client, tree.user("province", Role.ADMIN)).get(DEMO).status_code == 404


def test_demo_inbox_lists_what_a_started_fake_received(tree, client, settings, channels_offline):
    settings.DEMO_FAKES_ENABLED = True
    values = demo.start_demo_fakes()
    try:
        assert set(demo.running_fakes()) == {"dingtalk", "wecom", "sms", "oa", "smtp"}
        assert values["DINGTALK_ROBOT_1_URL"].startswith(values["DINGTALK_API_URL"])
        settings.SMS_GATEWAY_URL = values["SMS_GATEWAY_URL"]
        base.reset_channels()
        result = base.get_channel("sms").send(
            Message(title="保障通知", text="请于 8:30 前到达一号会场"),
            Target(recipient=Recipient(mobile="13800001111")),
        )
        assert result.ok, result.error
        settings.OA_WEBHOOK_URL = values["OA_WEBHOOK_URL"]
        base.reset_channels()
        assert (
            base.get_channel("oa")
            .send(
                Message(title="OA 待办：保障通知", text="请确认"),
                Target(recipient=Recipient(name="张三", email="z@example.com")),
            )
            .ok
        )
        robot_group = group(
            tree.province,
            name="演示钉钉群",
            url=values["DINGTALK_ROBOT_1_URL"],
            secret=values["DINGTALK_ROBOT_1_SECRET"],
        )
        services.group_digests_queue(
            topic="meeting:1",
            groups=[robot_group],
            title="群消息标题",
            markdown=f"### 群消息正文\n[确认]({settings.PUBLIC_BASE_URL}/ack/demo-token)"
            " [外链](http://evil.example/x)",
            text="群消息正文",
            mentions={robot_group.pk: ["13800002222"]},
        )
        assert outbox.outbox_drain() == 1
        assert Delivery.objects.get(group=robot_group).status == "sent"

        # demo mode: the province's dispatch desk reads it too; a county's desk does not (the
        # fakes hold every scope's messages), nor do support staff
        assert login(client, tree.user("province")).get(DEMO).status_code == 200
        assert login(client, tree.user("county0")).get(DEMO).status_code == 403
        assert login(client, tree.user("county0", Role.SUPPORT)).get(DEMO).status_code == 403
        login(client, tree.user("province", Role.ADMIN))
        page = client.get(DEMO).content.decode()
        assert (
            "请于 8:30 前到达一号会场" in page
            and "13800001111" in page
            and 'data-channel="sms"' in page
        )
        assert "OA 待办：保障通知" in page and "张三" in page
        robot_row = page[page.index('data-channel="dingtalk_robot"') :]
        assert (
            "演示钉钉群" in robot_row and "群消息标题" in robot_row and "@13800002222" in robot_row
        )
        ack = f'href="{settings.PUBLIC_BASE_URL}/ack/demo-token"'
        assert ack in robot_row and "打开确认链接" in robot_row
        assert 'href="http://evil.example' not in page, "only the platform's own links open"
        assert page.index('data-channel="dingtalk_robot"') < page.index(
            'data-channel="sms"'
        )  # newest first
        partial = client.get(DEMO, **HTMX).content.decode()
        assert (
            "<html" not in partial
            and 'hx-trigger="every 5s"' in partial
            and "请于 8:30 前到达一号会场" in partial
        )
    finally:
        demo.stop_demo_fakes()
    assert demo.running_fakes() == {}

"""The notification pages: dispatch desk, delivery log, IM groups and the demo inbox."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from vcassure.accounts.models import Role
from vcassure.core import clock
from vcassure.core.models import AuditEvent
from vcassure.notifications import demo, outbox, services
from vcassure.notifications.channels import base
from vcassure.notifications.channels.base import Message, Recipient, Target
from vcassure.notifications.models import (
    Delivery,
    DeliveryAttempt,
    EscalationPolicy,
    ImGroup,
    Notification,
    PhoneCallTask,
)

DESK = "/notifications/desk/"
DELIVERIES = "/notifications/deliveries/"
GROUPS = "/notifications/groups/"
GROUP_NEW = "/notifications/groups/new/"
DEMO = "/notifications/demo-inbox/"
DT_URL = "https://oapi.dingtalk.com/robot/send?access_token=abc123"
WECOM_URL = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k-123"
HTMX = {"HTTP_HX_REQUEST": "true"}


def staff_of(tree, key, role=Role.SUPPORT):
    return tree.user(key, role).staff_profile


def notice(
    staff, *, minutes=10, level=0, topic="meeting:7", subject=None, title="防汛会商保障通知"
):
    """An unanswered notice due `minutes` from now (negative: overdue), `level` rungs climbed."""
    now = clock.now()
    steps = EscalationPolicy.DEFAULT_STEPS
    return Notification.objects.create(
        recipient=staff,
        kind=Notification.Kind.PUBLISHED,
        topic=topic,
        subject=subject or f"task:{staff.pk}",
        title=title,
        body="请确认",
        ack_due_at=now + timedelta(minutes=minutes),
        escalation_steps=steps,
        escalation_level=level,
        next_escalation_at=now + timedelta(minutes=minutes + 5),
    )


def phone_call(notification, number="13912345678"):
    return PhoneCallTask.objects.create(
        notification=notification, number=number, script="您好，这里是 96311 调度台。"
    )


def group(unit, *, name="保障群", platform="dingtalk", url=DT_URL, secret="", **extra):
    return ImGroup.objects.create(
        platform=platform, name=name, webhook_url=url, secret=secret, org_unit=unit, **extra
    )


def delivery(*, notification=None, group=None, attempts=2, channel="sms", status="failed"):
    d = Delivery.objects.create(
        notification=notification,
        group=group,
        topic="meeting:7",
        channel=channel,
        status=status,
        attempts=attempts,
        last_error="HTTP 500" if status == "failed" else "",
    )
    for i in range(attempts):
        DeliveryAttempt.objects.create(
            delivery=d,
            at=clock.now() + timedelta(seconds=i),
            ok=False,
            error=f"SMS gateway: HTTP 500 #{i}",
            retryable=True,
            duration_ms=120 + i,
        )
    return d


def login(client, user):
    client.force_login(user)
    return client


# --- access --------------------------------------------------------------------------------


@pytest.mark.parametrize("url", [DESK, DELIVERIES, GROUPS, GROUP_NEW])
def test_pages_render_for_a_dispatcher_and_are_403_for_support(tree, client, url):
    assert login(client, tree.user("province")).get(url).status_code == 200
    assert login(client, tree.user("county0", Role.SUPPORT)).get(url).status_code == 403


def test_anonymous_is_sent_to_login(client, db):
    response = client.get(DESK)
    assert response.status_code == 302 and "/accounts/login" in response["Location"]


# --- dispatch desk -------------------------------------------------------------------------


def test_desk_lists_unanswered_by_deadline_with_overdue_and_escalation_level(tree, client):
    late = notice(staff_of(tree, "township0"), minutes=-12, level=2, title="逾期的通知")
    soon = notice(staff_of(tree, "township1"), minutes=5, title="即将到期的通知")
    other_meeting = notice(
        staff_of(tree, "township2"), minutes=8, topic="meeting:8", title="另一个会议"
    )
    answered = notice(staff_of(tree, "township3"), minutes=1, title="已确认的通知")
    Notification.objects.filter(pk=answered.pk).update(acknowledged_at=clock.now())
    page = login(client, tree.user("province")).get(DESK).content.decode()
    assert page.index(f'data-notification="{late.pk}"') < page.index(
        f'data-notification="{soon.pk}"'
    )
    assert f'data-notification="{other_meeting.pk}"' in page and "已确认的通知" not in page
    row = page[
        page.index(f'data-notification="{late.pk}"') - 40 : page.index(
            f'data-notification="{soon.pk}"'
        )
    ]
    assert "row-overdue" in row and "第 2 级：通知主管" in row
    assert 'data-overdue="1"' in page and 'hx-trigger="every 10s"' in page

    filtered = client.get(DESK + "?meeting=7").content.decode()
    assert "另一个会议" not in filtered and "即将到期的通知" in filtered


def test_desk_refresh_is_a_partial(tree, client):
    notice(staff_of(tree, "township0"))
    response = login(client, tree.user("province")).get(DESK + "?meeting=7", **HTMX)
    body = response.content.decode()
    assert response.status_code == 200 and "<html" not in body and 'id="unanswered"' in body
    assert "防汛会商保障通知" in body and "待拨打电话" not in body


def test_desk_shows_only_the_users_scope(tree, client):
    notice(staff_of(tree, "township0"), title="一县的通知")
    notice(staff_of(tree, "township4"), title="三县的通知")
    page = login(client, tree.user("county0")).get(DESK).content.decode()
    assert "一县的通知" in page and "三县的通知" not in page


def test_phone_number_is_masked_and_revealing_it_is_audited(tree, client):
    call = phone_call(notice(staff_of(tree, "township0"), minutes=-30, level=4))
    login(client, tree.user("province"))
    page = client.get(DESK).content.decode()
    assert "139****5678" in page and "13912345678" not in page and "显示号码" in page
    assert "96311" in page
    response = client.post(f"/notifications/desk/calls/{call.pk}/number/", **HTMX)
    assert response.status_code == 200 and 'href="tel:13912345678"' in response.content.decode()
    event = AuditEvent.objects.get(action="phone_call.number_reveal")
    assert event.object_id == str(call.pk) and event.actor_id == tree.user("province").pk


def test_recording_reached_acknowledges_the_notice_and_audits(tree, client):
    n = notice(staff_of(tree, "township0"), minutes=-30, level=4)
    call = phone_call(n)
    login(client, tree.user("county0"))
    response = client.post(
        f"/notifications/desk/calls/{call.pk}/outcome/",
        {"outcome": "reached", "note": "已答应到场"},
    )
    assert response.status_code == 302
    call.refresh_from_db()
    n.refresh_from_db()
    assert (
        call.outcome == "reached"
        and call.note == "已答应到场"
        and call.done_by == tree.user("county0")
    )
    assert (
        n.acknowledged_at is not None
        and n.acknowledged_via == "phone"
        and n.next_escalation_at is None
    )
    assert AuditEvent.objects.filter(action="phone_call.record", object_id=str(call.pk)).exists()
    assert AuditEvent.objects.filter(action="notification.acknowledge").exists()
    page = client.get(DESK).content.decode()
    assert "已记录给" in page and f'id="call-{call.pk}"' not in page  # no longer pending


def test_recording_no_answer_leaves_the_notice_open(tree, client):
    n = notice(staff_of(tree, "township0"), minutes=-30, level=4)
    call = phone_call(n)
    login(client, tree.user("province"))
    client.post(f"/notifications/desk/calls/{call.pk}/outcome/", {"outcome": "no_answer"})
    call.refresh_from_db()
    n.refresh_from_db()
    assert call.outcome == "no_answer" and n.acknowledged_at is None
    # A second record of the same call is refused, nothing changes.
    client.post(f"/notifications/desk/calls/{call.pk}/outcome/", {"outcome": "reached"})
    call.refresh_from_db()
    assert (
        call.outcome == "no_answer"
        and AuditEvent.objects.filter(action="phone_call.record").count() == 1
    )


def test_missing_outcome_writes_nothing(tree, client):
    call = phone_call(notice(staff_of(tree, "township0"), minutes=-30, level=4))
    login(client, tree.user("province"))
    response = client.post(
        f"/notifications/desk/calls/{call.pk}/outcome/", {"outcome": "pending"}, follow=True
    )
    call.refresh_from_db()
    assert call.outcome == "pending" and "没有记录" in response.content.decode()
    assert not AuditEvent.objects.filter(action="phone_call.record").exists()


def test_another_scopes_phone_call_is_404_and_unchanged(tree, client):
    n = notice(staff_of(tree, "township0"), minutes=-30, level=4)
    call = phone_call(n)
    login(client, tree.user("county2"))
    assert (
        client.post(
            f"/notifications/desk/calls/{call.pk}/outcome/", {"outcome": "reached"}
        ).status_code
        == 404
    )
    assert client.post(f"/notifications/desk/calls/{call.pk}/number/").status_code == 404
    call.refresh_from_db()
    n.refresh_from_db()
    assert call.outcome == "pending" and n.acknowledged_at is None
    assert not AuditEvent.objects.exists()
    support = login(client, tree.user("county0", Role.SUPPORT))
    assert (
        support.post(
            f"/notifications/desk/calls/{call.pk}/outcome/", {"outcome": "reached"}
        ).status_code
        == 403
    )


# --- delivery log ----------------------------------------------------------------------------


def test_delivery_log_shows_target_status_channel_and_attempts(tree, client):
    person = notice(staff_of(tree, "township0"))
    personal = delivery(notification=person)
    robot = delivery(
        group=group(tree.counties[0], name="一县钉钉群"),
        channel="dingtalk_robot",
        status="sent",
        attempts=1,
    )
    page = login(client, tree.user("county0")).get(DELIVERIES).content.decode()
    assert person.recipient.name in page and "一县钉钉群" in page
    assert "短信" in page and "钉钉群机器人" in page and "失败" in page and "已送达" in page
    assert "SMS gateway: HTTP 500 #1" in page and "121 毫秒" in page
    assert f'data-delivery="{personal.pk}"' in page and f'data-delivery="{robot.pk}"' in page

    filtered = client.get(
        DELIVERIES + f"?staff={person.recipient_id}&status=failed&channel=sms&meeting=7"
    ).content.decode()
    assert (
        f'data-delivery="{personal.pk}"' in filtered
        and f'data-delivery="{robot.pk}"' not in filtered
    )
    assert (
        f'data-delivery="{personal.pk}"'
        not in client.get(DELIVERIES + "?meeting=8").content.decode()
    )


def test_delivery_log_is_scoped_and_detail_of_another_scope_is_404(tree, client):
    mine = delivery(notification=notice(staff_of(tree, "township0")))
    theirs = delivery(notification=notice(staff_of(tree, "township4")))
    theirs_group = delivery(group=group(tree.counties[2], name="三县群"), channel="dingtalk_robot")
    login(client, tree.user("county0"))
    page = client.get(DELIVERIES).content.decode()
    assert f'data-delivery="{mine.pk}"' in page and f'data-delivery="{theirs.pk}"' not in page
    assert client.get(f"{DELIVERIES}{mine.pk}/").status_code == 200
    assert client.get(f"{DELIVERIES}{theirs.pk}/").status_code == 404
    assert client.get(f"{DELIVERIES}{theirs_group.pk}/").status_code == 404


def test_delivery_log_query_count_is_constant(tree, client):
    login(client, tree.user("province"))
    unit_group = group(tree.counties[0])

    def make(n):
        for i in range(n):
            if i % 3 == 0:
                delivery(group=unit_group, channel="dingtalk_robot")
            else:
                delivery(
                    notification=notice(staff_of(tree, f"township{i % 8}"), subject=f"task:{i}")
                )

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(DELIVERIES).status_code == 200
        return len(ctx.captured_queries)

    make(3)
    few = count()
    make(9)
    assert Delivery.objects.count() == 12
    assert count() == few


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
            markdown="### 群消息正文",
            text="群消息正文",
            mentions={robot_group.pk: ["13800002222"]},
        )
        assert outbox.outbox_drain() == 1
        assert Delivery.objects.get(group=robot_group).status == "sent"

        assert login(client, tree.user("province")).get(DEMO).status_code == 403
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


def test_desk_query_count_is_constant(tree, client):
    login(client, tree.user("province"))

    def make(n, start):
        for i in range(start, start + n):
            phone_call(
                notice(
                    staff_of(tree, f"township{i % 8}"),
                    minutes=i - 6,
                    level=i % 5,
                    subject=f"task:{i}",
                )
            )

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(DESK).status_code == 200
        return len(ctx.captured_queries)

    make(3, 0)
    few = count()
    make(9, 3)
    assert count() == few

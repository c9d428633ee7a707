"""Shared by the notification page tests (test_pages_desk.py, test_pages_delivery_log.py,
test_pages_im_groups.py, test_pages_demo_inbox.py): the page addresses, and builders of unanswered
notices, phone calls, IM groups and deliveries with their attempts."""

from datetime import timedelta

from vcassure.accounts.models import Role
from vcassure.core import clock
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

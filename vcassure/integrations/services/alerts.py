"""Telling the administrators that a webhook was turned off: a personal notice through the
notifications machinery (their channels, their inbox), no second sender."""

from django.db.models import Q
from django.utils.translation import gettext as _

from vcassure.accounts.models import Role
from vcassure.integrations.models import WebhookSubscription
from vcassure.notifications.models import Notification
from vcassure.notifications.services.messages import PersonalMessage, notifications_queue
from vcassure.orgs.models import Staff
from vcassure.orgs.selectors import dispatch_desk_staff


def administrators_staff() -> list[Staff]:
    """The people behind administrator logins; the province dispatch desk when none has a staff
    record (it administers the groups and robots too)."""
    admins = list(
        Staff.objects.filter(is_active=True, user__is_active=True).filter(
            Q(user__is_superuser=True) | Q(user__role=Role.ADMIN)
        )
    )
    return admins or dispatch_desk_staff()


def webhook_alert_administrators(subscription: WebhookSubscription, *, error: str) -> int:
    people = administrators_staff()
    if not people:
        return 0
    title = _("【Webhook 已停用】%(url)s") % {"url": subscription.url[:80]}
    body = _(
        "Webhook “%(name)s”(%(url)s)连续 24 小时投递失败，已自动停用，最近错误：%(error)s。"
        "修复接收方后请在“Webhook”页面重新启用，积压的事件会按顺序补发。"
    ) % {"name": str(subscription)[:80], "url": subscription.url[:200], "error": error[:200]}
    notifications_queue(
        [
            PersonalMessage(
                staff=person,
                subject=f"webhook:{subscription.pk}",
                title=title,
                body=body,
                requires_ack=False,
            )
            for person in people
        ],
        topic=f"webhook:{subscription.pk}",
        kind=Notification.Kind.INFO,
    )
    return len(people)

"""Outbound webhooks (C14): who wants which events, and the outbox of their deliveries."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from vcassure.core.models import TimeStampedModel


class EventType(models.TextChoices):
    """The event types of SPEC §6.2. `shift.uncovered` fires once the duty app exists; a
    subscription may already ask for it. `probe.failed` comes from the probes app's signal."""

    MEETING_PUBLISHED = "meeting.published", _("会议已发布")
    MEETING_RESCHEDULED = "meeting.rescheduled", _("会议已改期")
    MEETING_CANCELLED = "meeting.cancelled", _("会议已取消")
    MEETING_CLOSED = "meeting.closed", _("会议已关闭")
    TASK_STATE_CHANGED = "task.state_changed", _("任务状态变化")
    FAULT_OPENED = "fault.opened", _("故障已创建")
    FAULT_RESTORED = "fault.restored", _("故障已恢复")
    FAULT_CLOSED = "fault.closed", _("故障已关闭")
    SHIFT_UNCOVERED = "shift.uncovered", _("值守班次无人")
    PROBE_FAILED = "probe.failed", _("设备探测失败")


class WebhookSubscriptionQuerySet(models.QuerySet["WebhookSubscription"]):
    def visible_to(self, user) -> "WebhookSubscriptionQuerySet":
        """Webhooks are the platform's, not a unit's: administrators see them all, nobody else
        any (another role's request for one is a 404, like a missing one)."""
        if getattr(user, "is_authenticated", False) and user.is_administrator:
            return self.all()
        return self.none()


class WebhookSubscription(TimeStampedModel):
    """An outside system that wants some event types POSTed to its URL, signed with its secret
    (Standard Webhooks). Disabled by the sender after a day of failures."""

    url = models.CharField(_("接收地址"), max_length=500)
    secret = models.CharField(_("签名密钥"), max_length=200)
    events = models.JSONField(_("事件类型"), default=list)
    description = models.CharField(_("说明"), max_length=200, blank=True)
    is_active = models.BooleanField(_("启用"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("创建人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Failing without a success in between since then (None: the last attempt succeeded).
    failing_since = models.DateTimeField(_("持续失败起始"), null=True, blank=True)
    last_success_at = models.DateTimeField(_("最近成功"), null=True, blank=True)
    disabled_at = models.DateTimeField(_("自动停用时间"), null=True, blank=True)
    disabled_reason = models.CharField(_("停用原因"), max_length=300, blank=True)

    objects = WebhookSubscriptionQuerySet.as_manager()

    class Meta:
        verbose_name = _("Webhook 订阅")
        verbose_name_plural = _("Webhook 订阅")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.description or self.url


class WebhookDelivery(TimeStampedModel):
    """One event for one subscription: the outbox row the worker sends, retries and logs. Rows of
    the same subscription and subject go out in id order, each only after the one before it."""

    class Status(models.TextChoices):
        PENDING = "pending", _("待发送")
        SENDING = "sending", _("发送中")
        DELIVERED = "delivered", _("已送达")
        FAILED = "failed", _("已放弃")

    subscription = models.ForeignKey(
        WebhookSubscription, on_delete=models.CASCADE, related_name="deliveries"
    )
    event_id = models.CharField(_("事件编号"), max_length=40, db_index=True)
    event_type = models.CharField(_("事件类型"), max_length=40, choices=EventType.choices)
    subject = models.CharField(_("对象"), max_length=40)
    body = models.TextField(_("内容"))  # the exact bytes signed and sent, the same every attempt
    status = models.CharField(
        _("状态"), max_length=12, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveIntegerField(_("尝试次数"), default=0)
    next_attempt_at = models.DateTimeField(_("下次尝试"), null=True, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)
    last_attempt_at = models.DateTimeField(_("最近尝试"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("送达时间"), null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(_("响应码"), null=True, blank=True)
    last_error = models.CharField(_("最近错误"), max_length=500, blank=True)
    response_snippet = models.CharField(_("响应摘要"), max_length=500, blank=True)
    replay_of = models.ForeignKey(
        "self",
        verbose_name=_("重放自"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="replays",
    )

    class Meta:
        verbose_name = _("Webhook 投递")
        verbose_name_plural = _("Webhook 投递")
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="webhook_due_idx"),
            models.Index(fields=["subscription", "subject", "id"], name="webhook_subject_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.event_type} {self.subject} → {self.subscription_id}"

from django.db import models
from django.utils.translation import gettext_lazy as _

from vcassure.core.models import TimeStampedModel
from vcassure.orgs.scoping import ScopedQuerySet


class WorkingCalendarDay(TimeStampedModel):
    """An administrator's override of the working calendar for one date: a holiday (not a
    workday) or a make-up workday (调休上班). Takes precedence over chinese-calendar."""

    date = models.DateField(_("日期"), unique=True)
    is_workday = models.BooleanField(_("是否上班"))
    note = models.CharField(_("说明"), max_length=100, blank=True)

    class Meta:
        ordering = ["date"]
        verbose_name = _("工作日历调整")
        verbose_name_plural = _("工作日历调整")

    def __str__(self) -> str:
        return f"{self.date} {'workday' if self.is_workday else 'holiday'}"


class ImGroup(TimeStampedModel):
    """A DingTalk or WeCom group reached through its robot webhook. The URL and secret live here
    (entered on a page or through the API), never in settings or the repository."""

    class Platform(models.TextChoices):
        DINGTALK = "dingtalk", _("钉钉")
        WECOM = "wecom", _("企业微信")

    class Purpose(models.TextChoices):
        SUPPORT = "support", _("视频会商保障群")
        SUPERVISORS = "supervisors", _("运维主管工作群")

    CHANNEL_BY_PLATFORM = {"dingtalk": "dingtalk_robot", "wecom": "wecom_robot"}
    # Set by services.groups_covering: ids of the departments served (empty: every department).
    department_ids: set[int]

    platform = models.CharField(_("平台"), max_length=10, choices=Platform.choices)
    name = models.CharField(_("群名称"), max_length=100)
    webhook_url = models.URLField(_("机器人地址"), max_length=500)
    secret = models.CharField(_("加签密钥"), max_length=200, blank=True)
    org_unit = models.ForeignKey(
        "orgs.OrgUnit",
        verbose_name=_("服务范围"),
        on_delete=models.PROTECT,
        related_name="im_groups",
    )
    purpose = models.CharField(
        _("用途"), max_length=12, choices=Purpose.choices, default=Purpose.SUPPORT
    )
    departments = models.ManyToManyField(
        "orgs.Department",
        verbose_name=_("服务部门"),
        blank=True,
        related_name="im_groups",
        help_text=_("留空表示服务范围内的全部任务；选定部门时，只接收这些部门负责的任务。"),
    )
    is_active = models.BooleanField(_("启用"), default=True)
    paused_until = models.DateTimeField(_("暂停至"), null=True, blank=True)
    last_error = models.CharField(_("最近错误"), max_length=500, blank=True)
    needs_attention = models.BooleanField(_("需管理员处理"), default=False)
    rate_per_minute = models.PositiveSmallIntegerField(_("每分钟上限"), default=20)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["org_unit__code", "platform", "name"]
        verbose_name = _("即时消息群")
        verbose_name_plural = _("即时消息群")

    def __str__(self) -> str:
        return self.name

    @property
    def channel_code(self) -> str:
        return self.CHANNEL_BY_PLATFORM[self.platform]


class EscalationPolicy(TimeStampedModel):
    """The ladder climbed when a notice is not acknowledged in time. One per department (or the
    default, with no department); copied onto each notification when it is sent."""

    class Action(models.TextChoices):
        RENOTIFY = "renotify", _("换渠道重发")
        SUPERVISOR = "supervisor", _("通知主管")
        DEPARTMENT_HEAD = "department_head", _("通知部门负责人")
        DISPATCH_DESK = "dispatch_desk", _("省调度台电话通知")

    DEFAULT_STEPS = [
        {"after_minutes": 0, "action": "renotify", "channels": ["sms", "voice"]},
        {"after_minutes": 5, "action": "supervisor"},
        {"after_minutes": 10, "action": "department_head"},
        {"after_minutes": 20, "action": "dispatch_desk"},
    ]

    department = models.OneToOneField(
        "orgs.Department",
        verbose_name=_("部门"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="escalation_policy",
    )
    steps = models.JSONField(_("升级步骤"), default=list)

    class Meta:
        verbose_name = _("升级策略")
        verbose_name_plural = _("升级策略")

    def __str__(self) -> str:
        return str(self.department or _("默认策略"))


class NotificationQuerySet(ScopedQuerySet):
    scope_lookup = "recipient__org_unit__path"

    def unanswered(self):
        return self.filter(acknowledged_at__isnull=True, requires_ack=True, is_cancelled=False)


class Notification(TimeStampedModel):
    """One message to one person about one subject, with its reply deadline and escalation state.
    Delivered through one Delivery per channel tried."""

    class Kind(models.TextChoices):
        PUBLISHED = "published", _("保障通知")
        RESCHEDULED = "rescheduled", _("改期通知")
        CANCELLED = "cancelled", _("取消通知")
        ESCALATION = "escalation", _("升级提醒")
        OVERDUE = "overdue", _("逾期提醒")
        INFO = "info", _("信息")
        FAULT = "fault", _("故障通知")

    recipient = models.ForeignKey(
        "orgs.Staff",
        verbose_name=_("接收人"),
        on_delete=models.PROTECT,
        related_name="notifications",
    )
    kind = models.CharField(_("类型"), max_length=12, choices=Kind.choices)
    topic = models.CharField(_("主题"), max_length=64, db_index=True)  # e.g. "meeting:12"
    subject = models.CharField(_("对象"), max_length=64, db_index=True)  # e.g. "task:345"
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"))
    requires_ack = models.BooleanField(_("需确认"), default=True)
    ack_class = models.CharField(_("时限类别"), max_length=8, default="im")
    ack_due_at = models.DateTimeField(_("响应时限"), null=True, blank=True)
    acknowledged_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    acknowledged_via = models.CharField(_("确认方式"), max_length=20, blank=True)
    acknowledged_ip = models.GenericIPAddressField(_("确认来源地址"), null=True, blank=True)
    # Acknowledged through a link whose effects (the task, the person's other open notices on the
    # subject, queued re-sends, the audit row) the worker has yet to apply: acknowledgements_apply().
    ack_effects_pending = models.BooleanField(default=False)
    escalation_steps = models.JSONField(default=list, blank=True)
    escalation_level = models.PositiveSmallIntegerField(default=0)
    next_escalation_at = models.DateTimeField(null=True, blank=True)
    escalation_lease_until = models.DateTimeField(null=True, blank=True)
    token_nonce = models.CharField(max_length=32, blank=True)
    token_used_at = models.DateTimeField(null=True, blank=True)
    is_cancelled = models.BooleanField(default=False)
    escalates = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="escalations"
    )

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(
                fields=["next_escalation_at"],
                name="notif_next_escalation",
                condition=models.Q(acknowledged_at__isnull=True, next_escalation_at__isnull=False),
            ),
            models.Index(fields=["recipient", "topic"]),
            models.Index(
                fields=["id"],
                name="notif_ack_effects_pending",
                condition=models.Q(ack_effects_pending=True),
            ),
        ]
        verbose_name = _("通知")
        verbose_name_plural = _("通知")

    def __str__(self) -> str:
        return f"{self.title} → {self.recipient_id}"


class Delivery(TimeStampedModel):
    """One attempt-carrying message on one channel: to a person (notification set) or into an IM
    group (group set, a digest). Workers pick due rows with a lease; the row is the truth."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("排队中")
        SENDING = "sending", _("发送中")
        SENT = "sent", _("已送达")
        FAILED = "failed", _("失败")
        CANCELLED = "cancelled", _("已取消")

    notification = models.ForeignKey(
        Notification, null=True, blank=True, on_delete=models.CASCADE, related_name="deliveries"
    )
    group = models.ForeignKey(
        ImGroup, null=True, blank=True, on_delete=models.PROTECT, related_name="deliveries"
    )
    topic = models.CharField(max_length=64, db_index=True)
    channel = models.CharField(_("渠道"), max_length=24)
    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    payload = models.JSONField(default=dict)
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    max_attempts = models.PositiveSmallIntegerField(default=6)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True, db_index=True)
    provider_ref = models.CharField(max_length=100, blank=True)
    last_error = models.CharField(_("最近错误"), max_length=500, blank=True)
    failover_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["id"]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                name="delivery_due",
                condition=models.Q(status__in=["queued", "sending"]),
            ),
            models.Index(fields=["group", "sent_at"]),
        ]
        verbose_name = _("投递")
        verbose_name_plural = _("投递")

    def __str__(self) -> str:
        return f"{self.channel} {self.status}"


class DeliveryAttempt(models.Model):
    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="attempt_log")
    at = models.DateTimeField()
    ok = models.BooleanField()
    error = models.CharField(max_length=500, blank=True)
    retryable = models.BooleanField(default=False)
    duration_ms = models.PositiveIntegerField(default=0)
    http_status = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("投递尝试")
        verbose_name_plural = _("投递尝试")

    def __str__(self) -> str:
        return f"{self.delivery_id} {'ok' if self.ok else self.error}"


class PhoneCallTask(TimeStampedModel):
    """The last rung: the province dispatch desk calls the person (96311 script) and records it."""

    class Outcome(models.TextChoices):
        PENDING = "pending", _("待拨打")
        REACHED = "reached", _("已接通并确认")
        NO_ANSWER = "no_answer", _("无人接听")
        WRONG_NUMBER = "wrong_number", _("号码错误")

    notification = models.ForeignKey(
        Notification, on_delete=models.CASCADE, related_name="phone_calls"
    )
    number = models.CharField(_("电话"), max_length=20)
    script = models.TextField(_("话术"))
    outcome = models.CharField(
        _("结果"), max_length=14, choices=Outcome.choices, default=Outcome.PENDING
    )
    note = models.CharField(_("备注"), max_length=500, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["outcome", "created_at"]
        verbose_name = _("电话通知任务")
        verbose_name_plural = _("电话通知任务")

    def __str__(self) -> str:
        return f"{self.number} {self.outcome}"

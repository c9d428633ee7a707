"""Support tasks (C4–C6): the task tree of a published meeting, its state machine, every move (TaskTransition) and coordination completions."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from vcassure.core.models import StateMachineMixin, TimeStampedModel
from vcassure.meetings.models.meetings import Meeting
from vcassure.orgs.models import Department, OrgUnit, Staff
from vcassure.orgs.scoping import ScopedQuerySet
from vcassure.venues.models import Venue


class SupportTaskQuerySet(ScopedQuerySet):
    scope_lookup = "org_unit__path"

    def open(self):
        return self.exclude(state__in=SupportTask.CLOSED_STATES)


def overdue_q(now) -> Q:
    """Tasks past their on-site or ready deadline (R10) without having met it."""
    return Q(on_site_due_at__lt=now, state__in=SupportTask.BEFORE_SITE_STATES) | Q(
        ready_due_at__lt=now, state__in=SupportTask.BEFORE_READY_STATES
    )


class SupportTask(StateMachineMixin, TimeStampedModel):
    """What one department or one branch venue owes for a meeting. Coordination tasks form the
    dual-track chain (R2); venue tasks hang under the department that carries them out."""

    class Kind(models.TextChoices):
        VENUE = "venue", _("会场保障")
        COORDINATION = "coordination", _("协调")
        PATROL = "patrol", _("光缆巡检值守")

    class Role(models.TextChoices):
        # coordination roles
        PUBLISH = "publish", _("发布与跟踪")
        OPS = "ops", _("运维保障管理")
        BROADCAST = "broadcast", _("开启灾备高清频道并监控信号")
        CUSTOMER = "customer", _("转发通知并跟踪完成情况")
        NETWORK_OPS = "network_ops", _("干线巡检与应急响应")
        TECH_MAINTENANCE = "tech_maintenance", _("落实乡镇保障")
        # venue roles
        MAIN_VENUE = "main_venue", _("主会场驻场保障")
        BRANCH_VENUE = "branch_venue", _("分会场保障")
        # R8: the line crew patrols a fibre route before the meeting and stands by during it
        FIBRE_PATROL = "fibre_patrol", _("光缆线路会前巡检、会中值守")

    class State(models.TextChoices):
        PENDING = "pending", _("待通知")
        NOTIFIED = "notified", _("已通知")
        ACKNOWLEDGED = "acknowledged", _("已确认")
        ON_SITE = "on_site", _("已到场")
        READY = "ready", _("已就绪")
        IN_MEETING = "in_meeting", _("会议中")
        DONE = "done", _("已完成")
        FAULTY = "faulty", _("故障")
        RESTORED = "restored", _("已恢复")
        CANCELLED = "cancelled", _("已取消")

    TRANSITION_ERROR = _("任务当前状态为“%(current)s”，不能变为“%(target)s”。")
    ALLOWED_TRANSITIONS = {
        "pending": {"notified", "acknowledged", "cancelled"},
        "notified": {"acknowledged", "cancelled"},
        "acknowledged": {"on_site", "done", "cancelled"},
        "on_site": {"ready", "faulty", "cancelled"},
        "ready": {"in_meeting", "faulty", "done", "cancelled"},
        "in_meeting": {"done", "faulty", "cancelled"},
        "faulty": {"restored", "cancelled"},
        "restored": {"ready", "in_meeting", "done", "faulty", "cancelled"},
        "done": set(),
        "cancelled": set(),
    }
    CLOSED_STATES = ("done", "cancelled")
    # R10: the states in which a task has not yet met each deadline.
    BEFORE_SITE_STATES = ("pending", "notified", "acknowledged")
    BEFORE_READY_STATES = (*BEFORE_SITE_STATES, "on_site", "faulty", "restored")
    NOT_SHUT_DOWN_STATES = (*BEFORE_READY_STATES, "ready", "in_meeting")

    class Assignment(models.TextChoices):
        PRIMARY = "primary", _("主保障人员")
        BACKUP = "backup", _("备份保障人员")
        EMERGENCY = "emergency", _("应急机动人员")
        DEPARTMENT = "department", _("部门")
        NONE = "none", _("未落实")

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="tasks")
    kind = models.CharField(_("类型"), max_length=12, choices=Kind.choices)
    role = models.CharField(_("职责"), max_length=20, choices=Role.choices)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="children"
    )
    org_unit = models.ForeignKey(
        OrgUnit, verbose_name=_("组织单元"), on_delete=models.PROTECT, related_name="+"
    )
    department = models.ForeignKey(
        Department,
        verbose_name=_("部门"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    venue = models.ForeignKey(
        Venue,
        verbose_name=_("会场"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    fibre_route = models.ForeignKey(
        "venues.FibreRoute",
        verbose_name=_("光缆线路"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    assignee = models.ForeignKey(
        Staff,
        verbose_name=_("负责人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="support_tasks",
    )
    assignment = models.CharField(
        _("落实方式"), max_length=12, choices=Assignment.choices, default=Assignment.NONE
    )
    state = models.CharField(
        _("状态"), max_length=14, choices=State.choices, default=State.PENDING, db_index=True
    )
    state_before_fault = models.CharField(max_length=14, blank=True)
    on_site_due_at = models.DateTimeField(_("到场时限"), null=True, blank=True)
    ready_due_at = models.DateTimeField(_("就绪时限"), null=True, blank=True)
    shutdown_due_at = models.DateTimeField(_("关机时限"), null=True, blank=True)
    busy_from = models.DateTimeField(null=True, blank=True, db_index=True)
    busy_until = models.DateTimeField(null=True, blank=True)
    acknowledged_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    checked_in_at = models.DateTimeField(_("到场时间"), null=True, blank=True)
    check_in_lat = models.DecimalField(
        _("到场纬度"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    check_in_lng = models.DecimalField(
        _("到场经度"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    # Metres between the check-in location and the venue's coordinates, when both are known; more
    # than CHECK_IN_FAR_METRES is flagged (never refused: GPS indoors can be far off).
    check_in_distance_m = models.PositiveIntegerField(_("签到距离(米)"), null=True, blank=True)
    ready_at = models.DateTimeField(_("就绪时间"), null=True, blank=True)
    done_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    # R10 deadlines missed, set once by the sweeper (so each miss escalates once).
    missed_on_site_at = models.DateTimeField(_("逾期未到场"), null=True, blank=True)
    missed_ready_at = models.DateTimeField(_("逾期未就绪"), null=True, blank=True)
    missed_shutdown_at = models.DateTimeField(_("逾期未关机"), null=True, blank=True)

    objects = SupportTaskQuerySet.as_manager()

    class Meta:
        ordering = ["meeting", "id"]
        indexes = [
            models.Index(fields=["meeting", "state"]),
            models.Index(fields=["assignee", "busy_from"]),
        ]
        verbose_name = _("保障任务")
        verbose_name_plural = _("保障任务")

    def __str__(self) -> str:
        return f"{self.get_role_display()} · {self.venue or self.department or self.org_unit}"

    def get_state_display(self) -> str:  # type: ignore[no-redef]
        """Django's, without rebuilding the choices' dictionary on every call (the dashboard asks
        it for each row it shows)."""
        label = STATE_LABELS.get(self.state)
        return self.state if label is None else str(label)

    @property
    def check_in_far(self) -> bool:
        """Checked in more than CHECK_IN_FAR_METRES from the venue (flagged, not refused)."""
        return (
            self.check_in_distance_m is not None
            and self.check_in_distance_m > settings.CHECK_IN_FAR_METRES
        )


STATE_LABELS = dict(SupportTask.State.choices)


class TaskTransition(models.Model):
    """Every move of a task between states, with who and when."""

    task = models.ForeignKey(SupportTask, on_delete=models.CASCADE, related_name="transitions")
    # The task's meeting, copied on write (the task door sets it): the dashboard's timeline walks
    # back from a meeting's newest move and stops at 30, instead of reading every move of its tasks.
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="+", db_index=False)
    from_state = models.CharField(max_length=14, blank=True)
    to_state = models.CharField(max_length=14)
    at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["meeting", "-id"], name="transition_meeting_latest")]
        verbose_name = _("任务状态变更")
        verbose_name_plural = _("任务状态变更")

    def __str__(self) -> str:
        return f"{self.task_id}: {self.from_state} → {self.to_state}"


class TaskCompletion(models.Model):
    """How a coordination task was completed (C12): the department's own record, e.g. the broadcast
    centre's channel opening and monitoring times, network operations' trunk check, a county's
    "all townships ready", or a customer department's subtree roll-up. The state move itself goes
    through the task door."""

    task = models.OneToOneField(SupportTask, on_delete=models.CASCADE, related_name="completion")
    note = models.CharField(_("说明"), max_length=1000, blank=True)
    details = models.JSONField(_("完成记录"), default=dict, blank=True)
    completed_at = models.DateTimeField(_("完成时间"))
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("完成人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("协调任务完成记录")
        verbose_name_plural = _("协调任务完成记录")

    def __str__(self) -> str:
        return f"{self.task_id} completed"

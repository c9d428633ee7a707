import secrets
from datetime import timedelta
from pathlib import PurePosixPath

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from vcassure.core import clock
from vcassure.core.models import StateMachineMixin, TimeStampedModel
from vcassure.core.uploads import stored_path
from vcassure.orgs.models import Department, OrgUnit, Staff
from vcassure.orgs.scoping import ScopedQuerySet, subtree_q
from vcassure.venues.models import CustomerSystem, Venue


class MeetingQuerySet(ScopedQuerySet):
    """A meeting is visible to whoever owns it (its org unit is in the user's subtree) and to
    whoever is involved (a task of it lies in the user's subtree); `owned_by` is only the first:
    the meetings a user may change."""

    def scope_also(self, path: str):
        return Exists(SupportTask.objects.filter(subtree_q(path), meeting=OuterRef("pk")))


def notice_upload_to(instance: "Meeting", filename: str) -> str:
    # Never the person's file name: a random one with the extension of the type detected from
    # the content (the service passes "notice.<extension>"). Served only through a view.
    extension = PurePosixPath(filename).suffix.lstrip(".").lower()
    return stored_path(f"notices/{instance.starts_at:%Y/%m}", extension)


class Meeting(StateMachineMixin, TimeStampedModel):
    """One video consultation of a customer system, from its formal notice to its report."""

    class Kind(models.TextChoices):
        MEETING = "meeting", _("会商")
        TEST = "test", _("联调测试")

    class Importance(models.TextChoices):
        NORMAL = "normal", _("一般")
        IMPORTANT = "important", _("重要")
        SPECIAL = "special", _("特别重要")

    class State(models.TextChoices):
        DRAFT = "draft", _("草稿")
        PUBLISHED = "published", _("已发布")
        IN_PROGRESS = "in_progress", _("进行中")
        ENDED = "ended", _("已结束")
        CLOSED = "closed", _("已关闭")
        CANCELLED = "cancelled", _("已取消")

    TRANSITION_ERROR = _("会议当前状态为“%(current)s”，不能变为“%(target)s”。")
    ALLOWED_TRANSITIONS = {
        "draft": {"published", "cancelled"},
        "published": {"in_progress", "cancelled"},
        "in_progress": {"ended", "cancelled"},
        "ended": {"closed"},
        "closed": set(),
        "cancelled": set(),
    }

    system = models.ForeignKey(
        CustomerSystem, verbose_name=_("系统"), on_delete=models.PROTECT, related_name="meetings"
    )
    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices, default=Kind.MEETING)
    title = models.CharField(_("会议名称"), max_length=200)
    importance = models.CharField(
        _("重要程度"), max_length=10, choices=Importance.choices, default=Importance.NORMAL
    )
    state = models.CharField(
        _("状态"), max_length=12, choices=State.choices, default=State.DRAFT, db_index=True
    )
    starts_at = models.DateTimeField(_("开始时间"), db_index=True)
    ends_at = models.DateTimeField(_("结束时间"))
    main_venue = models.ForeignKey(
        Venue,
        verbose_name=_("主会场"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="main_meetings",
    )
    venues = models.ManyToManyField(
        Venue, verbose_name=_("分会场"), through="MeetingVenue", related_name="meetings"
    )
    notice_ref = models.CharField(_("正式通知文号"), max_length=100, blank=True)
    notice_document = models.FileField(_("正式通知文件"), upload_to=notice_upload_to, blank=True)
    # The uploaded file's own name, cleaned and given the detected extension: display data only.
    notice_filename = models.CharField(_("通知文件名"), max_length=120, blank=True)
    org_unit = models.ForeignKey(
        OrgUnit, verbose_name=_("所属单元"), on_delete=models.PROTECT, related_name="meetings"
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("录入人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    cancelled_reason = models.CharField(_("取消原因"), max_length=500, blank=True)
    shortfalls = models.JSONField(_("人员缺口"), default=list, blank=True)
    # Close-out (C12): who closed the meeting, when, with what note; the last reminder to close it.
    closed_at = models.DateTimeField(_("关闭时间"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("关闭人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    close_note = models.CharField(_("关闭说明"), max_length=1000, blank=True)
    close_reminded_at = models.DateTimeField(_("提醒关闭时间"), null=True, blank=True)

    objects = MeetingQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_at", "-id"]
        verbose_name = _("会议")
        verbose_name_plural = _("会议")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="meeting_ends_after_start"
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def has_notice(self) -> bool:
        return bool(self.notice_ref.strip() or self.notice_document)

    @property
    def on_site_lead(self) -> timedelta:
        """R10: on site an hour before, two hours for important and special meetings."""
        return timedelta(minutes=60 if self.importance == self.Importance.NORMAL else 120)


class MeetingVenue(models.Model):
    """A branch venue of a meeting."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="meeting_venues")
    venue = models.ForeignKey(Venue, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["meeting", "venue"], name="uniq_meeting_venue")
        ]
        verbose_name = _("分会场")
        verbose_name_plural = _("分会场")

    def __str__(self) -> str:
        return f"{self.meeting_id}:{self.venue_id}"


class MeetingEvent(models.Model):
    """The timeline of a meeting: created, published, rescheduled (what changed), cancelled.
    The notification capability turns these into messages."""

    class Kind(models.TextChoices):
        CREATED = "created", _("创建")
        UPDATED = "updated", _("修改")
        PUBLISHED = "published", _("发布")
        RESCHEDULED = "rescheduled", _("改期")
        CANCELLED = "cancelled", _("取消")
        STARTED = "started", _("开始")
        ENDED = "ended", _("结束")
        CLOSED = "closed", _("关闭")

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    at = models.DateTimeField(db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    changes = models.JSONField(default=dict, blank=True)
    is_notified = models.BooleanField(default=False)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("会议事件")
        verbose_name_plural = _("会议事件")

    def __str__(self) -> str:
        return f"{self.meeting_id} {self.kind}"


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
    from_state = models.CharField(max_length=14, blank=True)
    to_state = models.CharField(max_length=14)
    at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["at", "id"]
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


def share_token() -> str:
    return secrets.token_urlsafe(32)


class ShareLinkQuerySet(ScopedQuerySet):
    def active(self, now):
        return self.filter(revoked_at__isnull=True, expires_at__gt=now)


class ShareLink(models.Model):
    """A read-only, expiring, revocable link through which a customer follows a meeting's readiness
    (C7). The random token in the URL is the credential; the link shows only `org_unit`'s subtree
    (the scope of whoever made it), and only venue names and states: no personal data."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="share_links")
    org_unit = models.ForeignKey(
        OrgUnit, verbose_name=_("范围"), on_delete=models.PROTECT, related_name="+"
    )
    token = models.CharField(max_length=64, unique=True, default=share_token, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("创建人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("创建时间"), default=clock.now, editable=False)
    expires_at = models.DateTimeField(_("有效期至"))
    revoked_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)

    objects = ShareLinkQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("分享链接")
        verbose_name_plural = _("分享链接")

    def __str__(self) -> str:
        # Never the token: this lands in the audit log.
        return f"{self.meeting_id}: share #{self.pk}"

    def is_active(self, now) -> bool:
        return self.revoked_at is None and self.expires_at > now


class TestRound(models.Model):
    """A round of a joint debugging test (联调测试, a meeting of kind test): a time slot, for one
    city or for every venue. Round 1 tests every venue; a venue that failed a round is tested
    again in the next one (made when needed) until it passes."""

    __test__ = False  # not a pytest test class

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="test_rounds")
    number = models.PositiveSmallIntegerField(_("轮次"))
    city = models.ForeignKey(
        "orgs.OrgUnit",
        verbose_name=_("城市"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    starts_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    ends_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    is_retest = models.BooleanField(_("重测轮"), default=False)

    class Meta:
        ordering = ["meeting", "number"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "number"], name="uniq_test_round_number")
        ]
        verbose_name = _("联调轮次")
        verbose_name_plural = _("联调轮次")

    def __str__(self) -> str:
        return f"{self.meeting_id} #{self.number}"


class TestResult(TimeStampedModel):
    """One venue's result in one round: audio in/out, video in/out (pass/fail), and a note."""

    __test__ = False

    class Outcome(models.TextChoices):
        PASS = "pass", _("通过")
        FAIL = "fail", _("不通过")

    CHECKS = ("audio_in", "audio_out", "video_in", "video_out")

    round = models.ForeignKey(TestRound, on_delete=models.CASCADE, related_name="results")
    venue = models.ForeignKey("venues.Venue", on_delete=models.PROTECT, related_name="+")
    org_unit = models.ForeignKey("orgs.OrgUnit", on_delete=models.PROTECT, related_name="+")
    audio_in = models.CharField(_("音频收"), max_length=4, choices=Outcome.choices, blank=True)
    audio_out = models.CharField(_("音频发"), max_length=4, choices=Outcome.choices, blank=True)
    video_in = models.CharField(_("视频收"), max_length=4, choices=Outcome.choices, blank=True)
    video_out = models.CharField(_("视频发"), max_length=4, choices=Outcome.choices, blank=True)
    note = models.CharField(_("备注"), max_length=500, blank=True)
    recorded_at = models.DateTimeField(_("记录时间"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["round", "org_unit__path", "venue__code"]
        constraints = [
            models.UniqueConstraint(fields=["round", "venue"], name="uniq_test_result_per_round")
        ]
        verbose_name = _("联调结果")
        verbose_name_plural = _("联调结果")

    def __str__(self) -> str:
        return f"{self.round} {self.venue_id}"

    @property
    def outcome(self) -> str:
        """fail if any check failed; pass when all four passed; "" while incomplete."""
        values = [getattr(self, c) for c in self.CHECKS]
        if "fail" in values:
            return "fail"
        return "pass" if all(v == "pass" for v in values) else ""

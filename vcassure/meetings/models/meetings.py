"""Meetings (C3/C4): the meeting with its notice, venues and lifecycle events."""

from datetime import timedelta
from pathlib import PurePosixPath

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from vcassure.core.models import StateMachineMixin, TimeStampedModel
from vcassure.core.uploads import stored_path
from vcassure.orgs.models import OrgUnit
from vcassure.orgs.scoping import ScopedQuerySet, subtree_q
from vcassure.venues.models import CustomerSystem, Venue


class MeetingQuerySet(ScopedQuerySet):
    """A meeting is visible to whoever owns it (its org unit is in the user's subtree) and to
    whoever is involved (a task of it lies in the user's subtree); `owned_by` is only the first:
    the meetings a user may change."""

    def scope_also(self, path: str):
        tasks = self.model._meta.get_field("tasks").related_model  # SupportTask (tasks.py)
        return Exists(tasks._default_manager.filter(subtree_q(path), meeting=OuterRef("pk")))  # type: ignore[union-attr]


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

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from vcassure.core.models import TimeStampedModel
from vcassure.orgs.scoping import ScopedQuerySet


class InspectionPlan(TimeStampedModel):
    """Routine inspections of a set of venues (C9): which venues (chosen one by one, or by levels
    and subtrees like a meeting's branch venues), how often (an rrule: daily, weekly on chosen
    days, monthly on a day; working days only by the working calendar), which checklist and by
    what time of the day it must be done. The owning org unit carries the scope."""

    class Frequency(models.TextChoices):
        DAILY = "daily", _("每天")
        WEEKLY = "weekly", _("每周")
        MONTHLY = "monthly", _("每月")

    name = models.CharField(_("名称"), max_length=100)
    system = models.ForeignKey(
        "venues.CustomerSystem", verbose_name=_("系统"), on_delete=models.PROTECT, related_name="+"
    )
    org_unit = models.ForeignKey(
        "orgs.OrgUnit", verbose_name=_("所属单位"), on_delete=models.PROTECT, related_name="+"
    )
    venues = models.ManyToManyField("venues.Venue", verbose_name=_("会场"), blank=True)
    venue_filter = models.JSONField(_("会场范围"), null=True, blank=True)
    frequency = models.CharField(_("频次"), max_length=8, choices=Frequency.choices)
    weekdays = models.JSONField(_("每周哪几天"), default=list, blank=True)  # 0 = Monday
    month_day = models.PositiveSmallIntegerField(_("每月几号"), null=True, blank=True)
    working_days_only = models.BooleanField(_("仅工作日"), default=True)
    checklist_template = models.ForeignKey(
        "checklists.ChecklistTemplate",
        verbose_name=_("检查模板"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    due_time = models.TimeField(_("完成时限"))
    starts_on = models.DateField(_("开始日期"))
    is_active = models.BooleanField(_("启用"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("巡检计划")
        verbose_name_plural = _("巡检计划")

    def __str__(self) -> str:
        return self.name

    @property
    def weekday_names(self) -> str:
        names = [_("周一"), _("周二"), _("周三"), _("周四"), _("周五"), _("周六"), _("周日")]
        return "、".join(str(names[d]) for d in self.weekdays if 0 <= d <= 6)


class StaffLeave(models.Model):
    """A person away (leave, training) on some days: that day's inspections go to the venue's
    backup person."""

    staff = models.ForeignKey("orgs.Staff", on_delete=models.CASCADE, related_name="+")
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("结束日期"))
    note = models.CharField(_("备注"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("请假")
        verbose_name_plural = _("请假")

    def __str__(self) -> str:
        return f"{self.staff_id} {self.starts_on}–{self.ends_on}"


class Inspection(TimeStampedModel):
    """One venue's inspection on one day, generated from a plan: unique per plan, venue and day,
    so two workers generating the same day make one."""

    class State(models.TextChoices):
        PENDING = "pending", _("待巡检")
        IN_PROGRESS = "in_progress", _("巡检中")
        FAULTY = "faulty", _("发现故障")
        DONE = "done", _("已完成")
        CANCELLED = "cancelled", _("已取消")

    OPEN_STATES = (State.PENDING, State.IN_PROGRESS, State.FAULTY)

    plan = models.ForeignKey(InspectionPlan, on_delete=models.PROTECT, related_name="inspections")
    venue = models.ForeignKey("venues.Venue", on_delete=models.PROTECT, related_name="+")
    org_unit = models.ForeignKey("orgs.OrgUnit", on_delete=models.PROTECT, related_name="+")
    scheduled_on = models.DateField(_("日期"))
    assignee = models.ForeignKey(
        "orgs.Staff",
        verbose_name=_("巡检人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    state = models.CharField(_("状态"), max_length=12, choices=State.choices, default=State.PENDING)
    due_at = models.DateTimeField(_("完成时限"))
    run = models.OneToOneField(
        "checklists.ChecklistRun", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    notified_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["scheduled_on", "org_unit__path", "venue__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "venue", "scheduled_on"], name="uniq_inspection_per_day"
            )
        ]
        indexes = [models.Index(fields=["state", "due_at"])]
        verbose_name = _("巡检任务")
        verbose_name_plural = _("巡检任务")

    def __str__(self) -> str:
        return f"{self.plan} {self.venue_id} {self.scheduled_on}"


class RoutineDay(models.Model):
    """A day the worker has generated: its row is locked while the day's inspections are made and
    announced, so two workers send one digest per person, not two."""

    day = models.DateField(unique=True)
    generated_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return str(self.day)

"""Special important periods (R9, C10): the period, its shifts per venue, shift swaps, the roster
rules an administrator may change, and each person's secret calendar feed."""

import secrets

from django.db import models
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext_lazy as _

from vcassure.core.models import TimeStampedModel
from vcassure.orgs.models import OrgUnit, Staff
from vcassure.orgs.scoping import ScopedQuerySet, subtree_q
from vcassure.venues.models import Venue


class DutyRule(TimeStampedModel):
    """The roster rules (one row; an administrator edits it in the admin). The suggester never
    breaks them and a manual assignment that would is refused with the rule's name."""

    max_consecutive_hours = models.PositiveSmallIntegerField(_("最长连续值班(小时)"), default=12)
    min_rest_hours = models.PositiveSmallIntegerField(_("两班之间最短休息(小时)"), default=8)
    count_agenda = models.BooleanField(
        _("会议保障任务和巡检计入值班"),
        default=True,
        help_text=_("开启后，人员在时期内的会议保障任务和巡检也计入连续工作和休息规则。"),
    )
    remind_before_minutes = models.PositiveSmallIntegerField(_("班前提醒(分钟)"), default=60)
    missed_check_in_minutes = models.PositiveSmallIntegerField(
        _("未签到判定(开班后分钟)"), default=15
    )

    class Meta:
        verbose_name = _("值班规则")
        verbose_name_plural = _("值班规则")

    def __str__(self) -> str:
        return str(_("值班规则"))

    @classmethod
    def current(cls) -> "DutyRule":
        rule = cls.objects.order_by("pk").first()
        return rule if rule is not None else cls()


class SpecialPeriodQuerySet(ScopedQuerySet):
    def scope_also(self, path: str):
        # A period a province or city set up is visible to the counties whose venues it names.
        through = SpecialPeriod.venues.through
        return Exists(
            through.objects.filter(
                subtree_q(path, "venue__org_unit__path"), specialperiod_id=OuterRef("pk")
            )
        )


class SpecialPeriod(TimeStampedModel):
    """A date range in which the venues named have staff on site 7×24 or in the customer's duty
    hours (R9). Creating it lays out every shift of every venue."""

    class Mode(models.TextChoices):
        ALL_DAY = "24x7", _("7×24 小时")
        DUTY_HOURS = "duty_hours", _("客户值班时段")

    SHIFT_HOURS = (8, 12)

    name = models.CharField(_("名称"), max_length=100)
    org_unit = models.ForeignKey(
        OrgUnit,
        verbose_name=_("组织单元"),
        on_delete=models.PROTECT,
        related_name="special_periods",
    )
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("结束日期"))
    mode = models.CharField(_("模式"), max_length=12, choices=Mode.choices, default=Mode.ALL_DAY)
    duty_hours = models.JSONField(_("值班时段"), default=list, blank=True)
    shift_hours = models.PositiveSmallIntegerField(_("班次时长(小时)"), default=8)
    venues = models.ManyToManyField(Venue, verbose_name=_("会场"), related_name="special_periods")
    created_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = SpecialPeriodQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_on", "pk"]
        verbose_name = _("特殊重要保障时期")
        verbose_name_plural = _("特殊重要保障时期")

    def __str__(self) -> str:
        return self.name


class ShiftQuerySet(ScopedQuerySet):
    scope_lookup = "venue__org_unit__path"


class Shift(TimeStampedModel):
    """One duty shift of one venue: who is on site from when to when, and whether they came."""

    period = models.ForeignKey(
        SpecialPeriod, verbose_name=_("时期"), on_delete=models.CASCADE, related_name="shifts"
    )
    venue = models.ForeignKey(
        Venue, verbose_name=_("会场"), on_delete=models.PROTECT, related_name="shifts"
    )
    starts_at = models.DateTimeField(_("开始"))
    ends_at = models.DateTimeField(_("结束"))
    assignee = models.ForeignKey(
        Staff,
        verbose_name=_("值班人员"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="shifts",
    )
    checked_in_at = models.DateTimeField(_("签到时间"), null=True, blank=True)
    checked_out_at = models.DateTimeField(_("签退时间"), null=True, blank=True)
    check_in_location = models.JSONField(_("签到位置"), null=True, blank=True)
    check_out_location = models.JSONField(_("签退位置"), null=True, blank=True)
    # Each sweep acts once per shift: these say it was done.
    reminded_at = models.DateTimeField(null=True, blank=True)
    missed_check_in_at = models.DateTimeField(null=True, blank=True)
    warned_72h_at = models.DateTimeField(null=True, blank=True)
    warned_24h_at = models.DateTimeField(null=True, blank=True)

    objects = ShiftQuerySet.as_manager()

    class Meta:
        ordering = ["starts_at", "venue_id"]
        indexes = [
            models.Index(fields=["period", "venue", "starts_at"]),
            models.Index(fields=["assignee", "starts_at"]),
            models.Index(fields=["starts_at"]),
        ]
        verbose_name = _("值班班次")
        verbose_name_plural = _("值班班次")

    def __str__(self) -> str:
        return f"{self.venue_id} {self.starts_at:%Y-%m-%d %H:%M}"


class ShiftSwapQuerySet(ScopedQuerySet):
    scope_lookup = "shift__venue__org_unit__path"


class ShiftSwap(TimeStampedModel):
    """A shift handed from its person to another: asked by one, accepted by the other, approved by
    the county dispatcher (who may also reject it)."""

    class State(models.TextChoices):
        REQUESTED = "requested", _("待对方接受")
        ACCEPTED = "accepted", _("待调度审批")
        APPROVED = "approved", _("已批准")
        DECLINED = "declined", _("对方已拒绝")
        REJECTED = "rejected", _("调度未批准")
        CANCELLED = "cancelled", _("已撤回")

    OPEN_STATES = (State.REQUESTED, State.ACCEPTED)

    shift = models.ForeignKey(
        Shift, verbose_name=_("班次"), on_delete=models.CASCADE, related_name="swaps"
    )
    requested_by = models.ForeignKey(
        Staff, verbose_name=_("申请人"), on_delete=models.PROTECT, related_name="+"
    )
    taker = models.ForeignKey(
        Staff, verbose_name=_("接班人"), on_delete=models.PROTECT, related_name="+"
    )
    state = models.CharField(
        _("状态"), max_length=12, choices=State.choices, default=State.REQUESTED
    )
    reason = models.CharField(_("原因"), max_length=200, blank=True)
    decided_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    objects = ShiftSwapQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("换班申请")
        verbose_name_plural = _("换班申请")


def new_feed_token() -> str:
    return secrets.token_urlsafe(24)


class CalendarFeed(TimeStampedModel):
    """A person's secret iCalendar address. Resetting it gives a new token; the old one is gone."""

    staff = models.OneToOneField(
        Staff, verbose_name=_("人员"), on_delete=models.CASCADE, related_name="calendar_feed"
    )
    token = models.CharField(max_length=64, unique=True, default=new_feed_token)

    class Meta:
        verbose_name = _("日历订阅")
        verbose_name_plural = _("日历订阅")

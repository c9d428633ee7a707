from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from vcassure.core.models import StateMachineMixin, TimeStampedModel
from vcassure.core.uploads import stored_path
from vcassure.orgs.scoping import ScopedQuerySet


class Fault(StateMachineMixin, TimeStampedModel):
    """Something broken at a venue and its handling. Routed to the city's network operations
    department (the sole emergency interface). This is the part field work needs; RMA and MTTR
    reports come with the full fault capability."""

    class Source(models.TextChoices):
        CHECKLIST = "checklist", _("现场检查")
        HOTLINE = "hotline", _("96311 热线")
        PROBE = "probe", _("探测")
        MANUAL = "manual", _("人工登记")
        ACCESS = "access", _("无法进入会场")
        INSPECTION = "inspection", _("日常巡检")
        JOINT_TEST = "joint_test", _("联调测试")

    class Severity(models.TextChoices):
        CRITICAL = "critical", _("紧急")
        MAJOR = "major", _("严重")
        MINOR = "minor", _("一般")

    class State(models.TextChoices):
        OPEN = "open", _("待处理")
        ACKNOWLEDGED = "acknowledged", _("已受理")
        ASSIGNED = "assigned", _("已派单")
        ON_SITE = "on_site", _("已到场")
        RESTORED = "restored", _("已恢复")
        CLOSED = "closed", _("已关闭")

    TRANSITION_ERROR = _("故障当前状态为“%(current)s”，不能变为“%(target)s”。")
    # Assigning an open fault acknowledges it on the way; restoring remotely skips the visit;
    # reopening a restored fault starts the handling again from open.
    ALLOWED_TRANSITIONS = {
        "open": {"acknowledged", "assigned", "restored"},
        "acknowledged": {"assigned", "on_site", "restored"},
        "assigned": {"assigned", "on_site", "restored"},
        "on_site": {"restored"},
        "restored": {"closed", "open"},
        "closed": set(),
    }
    # Still waiting for its restore: the queue's "open" faults, the task stays faulty meanwhile.
    ACTIVE_STATES = ("open", "acknowledged", "assigned", "on_site")

    title = models.CharField(_("标题"), max_length=200)
    description = models.TextField(_("描述"), blank=True)
    source = models.CharField(_("来源"), max_length=10, choices=Source.choices)
    severity = models.CharField(
        _("严重程度"), max_length=10, choices=Severity.choices, default=Severity.MAJOR
    )
    state = models.CharField(
        _("状态"), max_length=16, choices=State.choices, default=State.OPEN, db_index=True
    )
    org_unit = models.ForeignKey(
        "orgs.OrgUnit", verbose_name=_("组织单元"), on_delete=models.PROTECT, related_name="+"
    )
    venue = models.ForeignKey(
        "venues.Venue",
        verbose_name=_("会场"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="faults",
    )
    subject = models.CharField(
        _("关联对象"), max_length=64, blank=True, db_index=True
    )  # e.g. "task:123"
    step_result = models.ForeignKey(
        "checklists.StepResult",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="faults",
    )
    assigned_department = models.ForeignKey(
        "orgs.Department",
        verbose_name=_("责任部门"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="faults",
    )
    assignee = models.ForeignKey(
        "orgs.Staff",
        verbose_name=_("处理人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="faults_assigned",
    )
    opened_at = models.DateTimeField(_("发现时间"))
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    acknowledged_at = models.DateTimeField(_("受理时间"), null=True, blank=True)
    on_site_at = models.DateTimeField(_("到场时间"), null=True, blank=True)
    restored_at = models.DateTimeField(_("恢复时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("关闭时间"), null=True, blank=True)
    # Deadlines from the severity (acknowledge, on site, restore), set when the fault opens.
    ack_due_at = models.DateTimeField(_("受理时限"), null=True, blank=True)
    on_site_due_at = models.DateTimeField(_("到场时限"), null=True, blank=True)
    restore_due_at = models.DateTimeField(_("恢复时限"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-opened_at", "-id"]
        verbose_name = _("故障")
        verbose_name_plural = _("故障")

    def __str__(self) -> str:
        return self.title

    @property
    def is_active(self) -> bool:
        return self.state in self.ACTIVE_STATES


def guidance_photo_upload_to(instance: "FaultEvent", filename: str) -> str:
    # Never the user's file name; served only through the fault's scoped view.
    extension = filename.rsplit(".", 1)[-1] if "." in filename else "bin"
    return stored_path(f"faults/{instance.fault_id}", extension)


class FaultEvent(models.Model):
    """Every change to a fault, with who and when."""

    class Kind(models.TextChoices):
        OPENED = "opened", _("登记")
        ACKNOWLEDGED = "acknowledged", _("受理")
        ASSIGNED = "assigned", _("派单")
        ON_SITE = "on_site", _("到场")
        ESCALATED = "escalated", _("升级")
        GUIDANCE = "guidance", _("集成商指导")
        NOTE = "note", _("备注")
        RESTORED = "restored", _("恢复")
        REOPENED = "reopened", _("重新打开")
        CLOSED = "closed", _("关闭")

    fault = models.ForeignKey(Fault, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.CharField(max_length=1000, blank=True)
    # Guidance from the integrator: who advised (free text: the integrator's engineer) and a photo.
    advisor = models.CharField(_("指导人"), max_length=100, blank=True)
    photo = models.FileField(upload_to=guidance_photo_upload_to, blank=True)
    photo_content_type = models.CharField(max_length=32, blank=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("故障记录")
        verbose_name_plural = _("故障记录")

    def __str__(self) -> str:
        return f"{self.fault_id} {self.kind}"


class FaultPolicy(models.Model):
    """The deadlines of one severity (administrator-editable; seeded with the defaults of issue
    #11): acknowledge, be on site, restore, each an amount in plain minutes, working minutes
    (the working calendar's hours) or working days (the end of the Nth working day)."""

    class Unit(models.TextChoices):
        MINUTES = "minutes", _("分钟")
        WORKING_MINUTES = "working_minutes", _("工作分钟")
        WORKING_DAYS = "working_days", _("工作日")

    severity = models.CharField(
        _("严重程度"), max_length=10, choices=Fault.Severity.choices, unique=True
    )
    ack_amount = models.PositiveIntegerField(_("受理时限"))
    ack_unit = models.CharField(_("单位"), max_length=16, choices=Unit.choices)
    on_site_amount = models.PositiveIntegerField(_("到场时限"))
    on_site_unit = models.CharField(_("单位"), max_length=16, choices=Unit.choices)
    restore_amount = models.PositiveIntegerField(_("恢复时限"))
    restore_unit = models.CharField(_("单位"), max_length=16, choices=Unit.choices)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["severity"]
        verbose_name = _("故障时限策略")
        verbose_name_plural = _("故障时限策略")

    def __str__(self) -> str:
        return self.get_severity_display()


# RMA and spares live in their own module; importing them here registers them with the app.
from vcassure.faults.rma_models import Shipment, ShipmentEvent, Spare  # noqa: E402

__all__ = ["Fault", "FaultEvent", "FaultPolicy", "Shipment", "ShipmentEvent", "Spare"]

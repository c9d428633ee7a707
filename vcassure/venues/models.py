from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from vcassure.core.models import TimeStampedModel
from vcassure.orgs.models import OrgUnit, Staff
from vcassure.orgs.scoping import ScopedQuerySet


class CustomerSystem(TimeStampedModel):
    """A customer's video consultation network: water, finance, government, general."""

    code = models.SlugField(_("代码"), max_length=32, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    customer_name = models.CharField(_("客户单位"), max_length=100, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("视频会商系统")
        verbose_name_plural = _("视频会商系统")

    def __str__(self) -> str:
        return self.name


class Integrator(TimeStampedModel):
    """The equipment supplier and repairer (集成商)."""

    name = models.CharField(_("名称"), max_length=100, unique=True)
    contact_name = models.CharField(_("联系人"), max_length=50, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=32, blank=True)
    email = models.EmailField(_("邮箱"), blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("集成商")
        verbose_name_plural = _("集成商")

    def __str__(self) -> str:
        return self.name


class VenueQuerySet(ScopedQuerySet):
    def active(self):
        return self.filter(is_active=True)


class Venue(TimeStampedModel):
    """A place where a customer's meeting is attended: the main venue or a branch venue."""

    class Role(models.TextChoices):
        MAIN = "main", _("主会场")
        BRANCH = "branch", _("分会场")

    code = models.CharField(_("会场编码"), max_length=32, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    system = models.ForeignKey(
        CustomerSystem, verbose_name=_("系统"), on_delete=models.PROTECT, related_name="venues"
    )
    org_unit = models.ForeignKey(
        OrgUnit, verbose_name=_("组织单元"), on_delete=models.PROTECT, related_name="venues"
    )
    role = models.CharField(_("类型"), max_length=10, choices=Role.choices, default=Role.BRANCH)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    room = models.CharField(_("机房/会议室"), max_length=100, blank=True)
    primary_staff = models.ForeignKey(
        Staff,
        verbose_name=_("主保障人员"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="primary_venues",
    )
    backup_staff = models.ForeignKey(
        Staff,
        verbose_name=_("备份保障人员"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="backup_venues",
    )
    is_active = models.BooleanField(_("启用"), default=True)

    objects = VenueQuerySet.as_manager()

    class Meta:
        ordering = ["system__code", "org_unit__code", "code"]
        indexes = [models.Index(fields=["system", "org_unit"])]
        verbose_name = _("会场")
        verbose_name_plural = _("会场")

    def __str__(self) -> str:
        return self.name


class EquipmentQuerySet(ScopedQuerySet):
    scope_lookup = "venue__org_unit__path"


class Equipment(TimeStampedModel):
    """One piece of equipment at a venue."""

    class Kind(models.TextChoices):
        TERMINAL = "terminal", _("视频终端")
        CAMERA = "camera", _("摄像机")
        MICROPHONE = "microphone", _("麦克风")
        DISPLAY = "display", _("显示设备")
        SWITCH = "switch", _("接入交换机")
        OPTICAL = "optical", _("光端机/ONU")
        UPS = "ups", _("UPS 电源")

    venue = models.ForeignKey(
        Venue, verbose_name=_("会场"), on_delete=models.CASCADE, related_name="equipment"
    )
    kind = models.CharField(_("类型"), max_length=12, choices=Kind.choices)
    model = models.CharField(_("型号"), max_length=100, blank=True)
    serial_number = models.CharField(_("序列号"), max_length=100, blank=True)
    management_ip = models.GenericIPAddressField(_("管理地址"), null=True, blank=True)
    integrator = models.ForeignKey(
        Integrator,
        verbose_name=_("集成商"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="equipment",
    )
    installed_on = models.DateField(_("安装日期"), null=True, blank=True)
    is_active = models.BooleanField(_("在用"), default=True)

    objects = EquipmentQuerySet.as_manager()

    class Meta:
        ordering = ["venue", "kind"]
        verbose_name = _("设备")
        verbose_name_plural = _("设备")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.model}".strip()


class FibreRouteQuerySet(ScopedQuerySet):
    scope_lookup = "venue__org_unit__path"


class FibreRoute(TimeStampedModel):
    """The optical cable path to a venue (R8), patrolled before important meetings."""

    venue = models.ForeignKey(
        Venue, verbose_name=_("会场"), on_delete=models.CASCADE, related_name="fibre_routes"
    )
    name = models.CharField(_("名称"), max_length=100)
    from_site = models.CharField(_("起点"), max_length=100, blank=True)
    length_km = models.DecimalField(
        _("长度(公里)"), max_digits=7, decimal_places=2, null=True, blank=True
    )
    description = models.TextField(_("说明"), blank=True)

    objects = FibreRouteQuerySet.as_manager()

    class Meta:
        ordering = ["venue", "name"]
        verbose_name = _("光缆线路")
        verbose_name_plural = _("光缆线路")

    def __str__(self) -> str:
        return self.name


class EquipmentEventQuerySet(ScopedQuerySet):
    scope_lookup = "equipment__venue__org_unit__path"


class EquipmentEvent(models.Model):
    """The equipment's history: every swap (sent for repair, back from repair, a spare lent in its
    place and taken back), with who and when. Written by venues.services.equipment_event_record."""

    class Kind(models.TextChoices):
        SENT_FOR_REPAIR = "sent_for_repair", _("寄出送修")
        BACK_FROM_REPAIR = "back_from_repair", _("修复返回")
        LOANER_IN = "loaner_in", _("备件借入替换")
        LOANER_OUT = "loaner_out", _("备件归还")
        NOTE = "note", _("备注")

    equipment = models.ForeignKey(
        Equipment, verbose_name=_("设备"), on_delete=models.CASCADE, related_name="events"
    )
    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices)
    at = models.DateTimeField(_("时间"), db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reference = models.CharField(_("关联对象"), max_length=64, blank=True)  # e.g. "rma:12"
    note = models.CharField(_("说明"), max_length=500, blank=True)

    objects = EquipmentEventQuerySet.as_manager()

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("设备履历")
        verbose_name_plural = _("设备履历")

    def __str__(self) -> str:
        return f"{self.equipment_id} {self.kind}"

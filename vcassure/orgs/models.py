import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from vcassure.core.models import TimeStampedModel
from vcassure.orgs.scoping import ScopedQuerySet


class OrgUnitQuerySet(ScopedQuerySet):
    scope_lookup = "path"


class OrgUnit(TimeStampedModel):
    """One node of the four-level tree (R1), keyed by its administrative-division code.
    `path` ("/1/7/23/") is the materialized chain of ids; a subtree is `path__startswith`."""

    class Level(models.TextChoices):
        PROVINCE = "province", _("省")
        CITY = "city", _("市")
        COUNTY = "county", _("县(区)")
        TOWNSHIP = "township", _("乡镇(街道)")

    LEVEL_ORDER = ["province", "city", "county", "township"]
    CODE_LENGTH = {"province": 6, "city": 6, "county": 6, "township": 9}

    code = models.CharField(_("行政区划代码"), max_length=12, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    level = models.CharField(_("层级"), max_length=10, choices=Level.choices, db_index=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    path = models.CharField(max_length=255, db_index=True, editable=False, default="")

    objects = OrgUnitQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        verbose_name = _("组织单元")
        verbose_name_plural = _("组织单元")

    def __str__(self) -> str:
        return self.name

    @property
    def depth(self) -> int:
        return self.LEVEL_ORDER.index(self.level)

    @classmethod
    def child_level(cls, level: str) -> str | None:
        index = cls.LEVEL_ORDER.index(level)
        return cls.LEVEL_ORDER[index + 1] if index + 1 < len(cls.LEVEL_ORDER) else None

    def clean(self) -> None:
        expected = self.CODE_LENGTH.get(self.level)
        if expected and not re.fullmatch(rf"\d{{{expected}}}", self.code or ""):
            raise ValidationError(
                {
                    "code": _("%(level)s级代码应为 %(n)s 位数字。")
                    % {"level": self.get_level_display(), "n": expected}
                }
            )
        if self.level == self.Level.PROVINCE:
            if self.parent_id:
                raise ValidationError({"parent": _("省级单元不能有上级。")})
        elif self.parent is None or self.child_level(self.parent.level) != self.level:
            raise ValidationError({"parent": _("上级单元的层级不正确。")})

    @staticmethod
    def path_ids(path: str) -> list[int]:
        """ "/1/7/23/" → [1, 7, 23]: the chain of ids from the province down to the unit."""
        return [int(part) for part in path.strip("/").split("/") if part]

    @property
    def chain_ids(self) -> list[int]:
        """This unit's chain: the province first, the unit itself last."""
        return self.path_ids(self.path)

    @property
    def ancestor_ids(self) -> list[int]:
        """The units above this one, the province first."""
        return self.chain_ids[:-1]

    def build_path(self) -> str:
        prefix = self.parent.path if self.parent is not None else "/"
        return f"{prefix}{self.pk}/"


class Department(TimeStampedModel):
    """A department of an org unit, of one of the kinds in SPEC §1."""

    class Kind(models.TextChoices):
        OPS = "ops", _("集团运行维护部")
        BROADCAST = "broadcast", _("播控中心")
        CUSTOMER = "customer", _("集团客户部")
        NETWORK_OPS = "network_ops", _("网络运行部")
        TECH_MAINTENANCE = "tech_maintenance", _("技术维护部")

    KIND_LEVELS = {
        "ops": {"province"},
        "broadcast": {"province"},
        "customer": {"province", "city", "county"},
        "network_ops": {"city"},
        "tech_maintenance": {"county"},
    }

    org_unit = models.ForeignKey(
        OrgUnit, verbose_name=_("组织单元"), on_delete=models.PROTECT, related_name="departments"
    )
    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices)
    name = models.CharField(_("名称"), max_length=100)
    head = models.ForeignKey(
        "orgs.Staff",
        verbose_name=_("负责人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    phone = models.CharField(_("值班电话"), max_length=32, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["org_unit__code", "kind"]
        constraints = [
            models.UniqueConstraint(
                fields=["org_unit", "kind"], name="uniq_department_kind_per_unit"
            )
        ]
        verbose_name = _("部门")
        verbose_name_plural = _("部门")

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.org_unit_id and self.org_unit.level not in self.KIND_LEVELS.get(self.kind, set()):
            raise ValidationError({"kind": _("该层级不设此类部门。")})


class StaffQuerySet(ScopedQuerySet):
    def active(self):
        return self.filter(is_active=True)


class Staff(TimeStampedModel):
    """A person in the directory: support staff, dispatchers, managers, integrator contacts.
    A login user, when there is one, takes its scope from here."""

    code = models.CharField(_("工号"), max_length=32, unique=True)
    name = models.CharField(_("姓名"), max_length=50)
    org_unit = models.ForeignKey(
        OrgUnit, verbose_name=_("组织单元"), on_delete=models.PROTECT, related_name="staff"
    )
    department = models.ForeignKey(
        Department,
        verbose_name=_("部门"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="staff",
    )
    title = models.CharField(_("岗位"), max_length=50, blank=True)
    mobile = models.CharField(_("手机"), max_length=20, blank=True)
    email = models.EmailField(_("邮箱"), blank=True)
    dingtalk_user_id = models.CharField(_("钉钉用户ID"), max_length=64, blank=True)
    wecom_user_id = models.CharField(_("企业微信用户ID"), max_length=64, blank=True)
    supervisor = models.ForeignKey(
        "self",
        verbose_name=_("主管"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reports",
    )
    is_emergency_mobile = models.BooleanField(_("应急机动人员"), default=False)
    is_active = models.BooleanField(_("在岗"), default=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登录账号"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="staff_profile",
    )

    objects = StaffQuerySet.as_manager()

    class Meta:
        ordering = ["org_unit__code", "code"]
        verbose_name = _("人员")
        verbose_name_plural = _("人员")

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if (
            self.department is not None
            and self.org_unit_id
            and self.department.org_unit_id != self.org_unit_id
        ):
            raise ValidationError({"department": _("部门不属于该组织单元。")})
        if self.mobile and not re.fullmatch(r"1\d{10}", self.mobile):
            raise ValidationError({"mobile": _("手机号应为 11 位数字，以 1 开头。")})


def mask_phone(number: str) -> str:
    """138****5678: enough to recognise, not enough to call."""
    if not number:
        return ""
    if len(number) < 7:
        return "*" * len(number)
    return f"{number[:3]}****{number[-4:]}"


class StaffingRule(TimeStampedModel):
    """R5: how many regular and emergency mobile staff a unit of a level must have
    (in the department of `department_kind`, or at the unit itself when blank)."""

    level = models.CharField(_("层级"), max_length=10, choices=OrgUnit.Level.choices, unique=True)
    department_kind = models.CharField(
        _("部门类型"), max_length=20, choices=Department.Kind.choices, blank=True
    )
    regular = models.PositiveSmallIntegerField(_("保障人员"), default=0)
    emergency = models.PositiveSmallIntegerField(_("应急机动人员"), default=0)

    class Meta:
        ordering = ["level"]
        verbose_name = _("人员配置规则")
        verbose_name_plural = _("人员配置规则")

    def __str__(self) -> str:
        return f"{self.get_level_display()}: {self.regular} + {self.emergency}"

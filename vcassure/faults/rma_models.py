"""RMA and spares (C8): a faulty terminal or part shipped to its integrator and back, and the spare
equipment each county and city keeps to lend a venue meanwhile. Imported by faults/models.py so
that Django registers these models with the faults app."""

import re
from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from vcassure.core import clock
from vcassure.core.models import StateMachineMixin, TimeStampedModel
from vcassure.orgs.scoping import ScopedQuerySet
from vcassure.venues.models import Equipment

# The tracking number formats checked per carrier (after removing spaces and upper-casing):
# - SF Express (顺丰): "SF" followed by 12 to 15 digits (today's waybills are SF + 13 digits).
# - EMS (中国邮政 EMS): 13 digits (domestic waybill), or the UPU S10 international form: two
#   letters, eight digits and a check digit, two letters (EA123456785CN); the S10 check digit is
#   verified (weights 8 6 4 2 3 5 9 7, 11 − sum mod 11, 10 → 0, 11 → 5).
# - JD Logistics (京东): "JD" followed by 13 to 15 letters or digits (JDVA…, JDX… included).
# - Other carriers: 6 to 30 letters, digits or hyphens.
TRACKING_FORMATS = {
    "sf": re.compile(r"SF\d{12,15}"),
    "ems": re.compile(r"\d{13}|[A-Z]{2}\d{9}[A-Z]{2}"),
    "jd": re.compile(r"JD[0-9A-Z]{13,15}"),
    "other": re.compile(r"[0-9A-Z-]{6,30}"),
}
S10_WEIGHTS = (8, 6, 4, 2, 3, 5, 9, 7)


def normalise_tracking_number(value: str) -> str:
    return re.sub(r"\s+", "", value or "").upper()


def s10_check_digit(digits: str) -> int:
    remainder = 11 - sum(int(d) * w for d, w in zip(digits, S10_WEIGHTS, strict=True)) % 11
    return {10: 0, 11: 5}.get(remainder, remainder)


def tracking_number_is_valid(carrier: str, number: str) -> bool:
    pattern = TRACKING_FORMATS.get(carrier)
    if pattern is None or not pattern.fullmatch(number):
        return False
    if carrier == "ems" and number[:2].isalpha():
        return s10_check_digit(number[2:10]) == int(number[10])
    return True


class ShipmentQuerySet(ScopedQuerySet):
    OPEN_STATES = ("shipped", "received", "repaired")

    def overdue_q(self, today: date | None = None) -> Q:
        return Q(expected_return__lt=today or clock.localnow().date(), state__in=self.OPEN_STATES)

    def overdue(self, today: date | None = None):
        return self.filter(self.overdue_q(today))


class Shipment(StateMachineMixin, TimeStampedModel):
    """One piece of faulty equipment shipped to its integrator for repair, and back."""

    class Carrier(models.TextChoices):
        SF = "sf", _("顺丰速运")
        EMS = "ems", _("中国邮政 EMS")
        JD = "jd", _("京东物流")
        OTHER = "other", _("其他")

    class State(models.TextChoices):
        SHIPPED = "shipped", _("已寄出")
        RECEIVED = "received", _("集成商已签收")
        REPAIRED = "repaired", _("已修复")
        RETURNED = "returned", _("已寄回")
        CLOSED = "closed", _("已关闭")

    TRANSITION_ERROR = _("返修单当前状态为“%(current)s”，不能变为“%(target)s”。")
    ALLOWED_TRANSITIONS = {
        "shipped": {"received"},
        "received": {"repaired"},
        "repaired": {"returned"},
        "returned": {"closed"},
        "closed": set(),
    }
    # The date stamped when each step is reached.
    STEP_FIELDS = {
        "shipped": "shipped_at",
        "received": "received_at",
        "repaired": "repaired_at",
        "returned": "returned_at",
        "closed": "closed_at",
    }

    fault = models.ForeignKey(
        "faults.Fault",
        verbose_name=_("故障"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="shipments",
    )
    equipment = models.ForeignKey(
        Equipment, verbose_name=_("设备"), on_delete=models.PROTECT, related_name="shipments"
    )
    org_unit = models.ForeignKey(
        "orgs.OrgUnit", verbose_name=_("组织单元"), on_delete=models.PROTECT, related_name="+"
    )  # the equipment's venue's unit when the shipment was entered: the scope of the shipment
    carrier = models.CharField(_("承运商"), max_length=8, choices=Carrier.choices)
    tracking_number = models.CharField(_("运单号"), max_length=32)
    state = models.CharField(
        _("状态"), max_length=10, choices=State.choices, default=State.SHIPPED, db_index=True
    )
    shipped_at = models.DateTimeField(_("寄出时间"))
    received_at = models.DateTimeField(_("签收时间"), null=True, blank=True)
    repaired_at = models.DateTimeField(_("修复时间"), null=True, blank=True)
    returned_at = models.DateTimeField(_("寄回时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("关闭时间"), null=True, blank=True)
    expected_return = models.DateField(_("预计返回日期"), null=True, blank=True)
    loaner = models.ForeignKey(
        "faults.Spare",
        verbose_name=_("借用备件"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="shipments",
    )
    loaned_at = models.DateTimeField(_("借出时间"), null=True, blank=True)
    loan_returned_at = models.DateTimeField(_("备件归还时间"), null=True, blank=True)
    note = models.CharField(_("备注"), max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = ShipmentQuerySet.as_manager()

    class Meta:
        ordering = ["-shipped_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["carrier", "tracking_number"], name="uniq_shipment_tracking_per_carrier"
            )
        ]
        verbose_name = _("返修单")
        verbose_name_plural = _("返修单")

    def __str__(self) -> str:
        return f"{self.get_carrier_display()} {self.tracking_number}"

    @property
    def is_open(self) -> bool:
        return self.state in ShipmentQuerySet.OPEN_STATES

    @property
    def is_overdue(self) -> bool:
        return bool(
            self.expected_return and self.is_open and self.expected_return < clock.localnow().date()
        )

    @property
    def has_loaner_out(self) -> bool:
        return self.loaner_id is not None and self.loan_returned_at is None

    def next_state(self) -> str | None:
        following = self.ALLOWED_TRANSITIONS[self.state]
        return next(iter(following)) if following else None


class ShipmentEvent(models.Model):
    """Every move of a shipment, with who and when."""

    class Kind(models.TextChoices):
        CREATED = "created", _("登记寄出")
        STATE = "state", _("状态变更")
        EDITED = "edited", _("修改")
        LOANER_OUT = "loaner_out", _("借出备件")
        LOANER_BACK = "loaner_back", _("备件归还")

    shipment = models.ForeignKey(Shipment, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    from_state = models.CharField(max_length=10, blank=True, choices=Shipment.State.choices)
    to_state = models.CharField(max_length=10, blank=True, choices=Shipment.State.choices)
    at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("返修记录")
        verbose_name_plural = _("返修记录")

    def __str__(self) -> str:
        return f"{self.shipment_id} {self.kind}"


class SpareQuerySet(ScopedQuerySet):
    def below_minimum(self):
        return self.filter(available__lt=models.F("minimum"))


class Spare(TimeStampedModel):
    """Spare equipment of one kind and model held by a county or a city: how many are on the shelf,
    how many are lent to venues whose own equipment is away for repair, and the minimum to keep."""

    org_unit = models.ForeignKey(
        "orgs.OrgUnit", verbose_name=_("组织单元"), on_delete=models.PROTECT, related_name="spares"
    )
    kind = models.CharField(_("类型"), max_length=12, choices=Equipment.Kind.choices)
    model = models.CharField(_("型号"), max_length=100)
    available = models.IntegerField(_("在库"), default=0)
    on_loan = models.IntegerField(_("借出"), default=0)
    minimum = models.PositiveIntegerField(_("最低库存"), default=1)

    objects = SpareQuerySet.as_manager()

    class Meta:
        ordering = ["org_unit__code", "kind", "model"]
        constraints = [
            models.UniqueConstraint(
                fields=["org_unit", "kind", "model"], name="uniq_spare_per_unit_kind_model"
            ),
            models.CheckConstraint(
                condition=Q(available__gte=0), name="spare_available_not_negative"
            ),
            models.CheckConstraint(condition=Q(on_loan__gte=0), name="spare_on_loan_not_negative"),
        ]
        verbose_name = _("备品备件")
        verbose_name_plural = _("备品备件")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.model}"

    @property
    def is_below_minimum(self) -> bool:
        return self.available < self.minimum

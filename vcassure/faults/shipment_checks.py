"""Validation of shipment input (RMA, C8): carrier and tracking number (format per carrier, no
duplicates), the equipment matching the fault's venue and the loaner's kind and unit, dates in
order. Each check returns a list of `{"field", "message"}` errors; `refuse_if_any` raises them as
one InvalidInputError, so a form or the API shows every problem at once."""

from datetime import date

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from vcassure.core.errors import InvalidInputError
from vcassure.faults.models import Fault
from vcassure.faults.rma_models import Shipment, Spare, tracking_number_is_valid
from vcassure.venues.models import Equipment

TRACKING_HINTS = {
    "sf": gettext_lazy("顺丰运单号应为 SF 加 12–15 位数字，如 SF1234567890123。"),
    "ems": gettext_lazy(
        "EMS 运单号应为 13 位数字，或 2 位字母 + 9 位数字 + 2 位字母(如 EA123456785CN)。"
    ),
    "jd": gettext_lazy("京东运单号应为 JD 加 13–15 位字母或数字，如 JD0012345678901。"),
    "other": gettext_lazy("运单号应为 6–30 位字母、数字或连字符。"),
}


def refuse_if_any(errors: list[dict[str, str]]) -> None:
    if errors:
        raise InvalidInputError("；".join(e["message"] for e in errors), errors=errors)


def check_carrier_and_number(
    carrier: str, tracking_number: str, *, exclude_pk: int | None = None
) -> list[dict[str, str]]:
    errors = []
    if carrier not in Shipment.Carrier.values:
        errors.append(
            {
                "field": "carrier",
                "message": _(
                    "未知的承运商“%(carrier)s”，可选：sf(顺丰)、ems、jd(京东)、other(其他)。"
                )
                % {"carrier": carrier[:20]},
            }
        )
        return errors
    if not tracking_number:
        errors.append({"field": "tracking_number", "message": _("请填写运单号。")})
    elif not tracking_number_is_valid(carrier, tracking_number):
        errors.append(
            {
                "field": "tracking_number",
                "message": _("运单号“%(number)s”格式不正确：%(hint)s")
                % {"number": tracking_number[:40], "hint": TRACKING_HINTS[carrier]},
            }
        )
    else:
        duplicate = Shipment.objects.filter(carrier=carrier, tracking_number=tracking_number)
        if exclude_pk is not None:
            duplicate = duplicate.exclude(pk=exclude_pk)
        if duplicate.exists():
            errors.append(
                {
                    "field": "tracking_number",
                    "message": _("运单号“%(number)s”已登记过(%(carrier)s)，请勿重复登记。")
                    % {
                        "number": tracking_number,
                        "carrier": Shipment.Carrier(carrier).label,
                    },
                }
            )
    return errors


def check_links(
    *, equipment: Equipment, fault: Fault | None, loaner: Spare | None
) -> list[dict[str, str]]:
    errors = []
    if fault is not None and fault.venue_id and fault.venue_id != equipment.venue_id:
        errors.append({"field": "equipment", "message": _("送修设备不在该故障所在的会场。")})
    if loaner is not None:
        if loaner.kind != equipment.kind:
            errors.append(
                {
                    "field": "loaner",
                    "message": _("备件类型“%(spare)s”与送修设备“%(equipment)s”不符。")
                    % {
                        "spare": loaner.get_kind_display(),
                        "equipment": equipment.get_kind_display(),
                    },
                }
            )
        elif loaner.org_unit_id not in equipment.venue.org_unit.chain_ids:
            errors.append({"field": "loaner", "message": _("只能借用会场所在县或市的备件。")})
    return errors


def check_expected_return(value: date | None, shipped_on: date) -> list[dict[str, str]]:
    if value is not None and value < shipped_on:
        return [{"field": "expected_return", "message": _("预计返回日期不能早于寄出日期。")}]
    return []

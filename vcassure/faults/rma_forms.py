"""HTML input for RMA and spares pages; the services check the rules, these only read the fields."""

from typing import cast

from django import forms
from django.utils.translation import gettext_lazy as _

from vcassure.core.forms import ServiceErrorsForm
from vcassure.faults.rma_models import Shipment
from vcassure.venues.models import Equipment


class ShipmentForm(ServiceErrorsForm):
    """Ship equipment for repair. From a fault page the venue's equipment is a list; standalone,
    the equipment is found by its serial number in the user's scope."""

    equipment = forms.TypedChoiceField(label=_("送修设备"), coerce=int, required=False)
    serial_number = forms.CharField(
        label=_("设备序列号"),
        max_length=100,
        required=False,
        help_text=_("按序列号查找本辖区的设备"),
    )
    carrier = forms.ChoiceField(label=_("承运商"), choices=Shipment.Carrier.choices)
    tracking_number = forms.CharField(
        label=_("运单号"),
        max_length=64,
        help_text=_("顺丰：SF+12–15位数字；EMS：13位数字或 EA123456785CN；京东：JD+13–15位"),
    )
    expected_return = forms.DateField(
        label=_("预计返回日期"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    loaner = forms.TypedChoiceField(
        label=_("借用备件(可选)"), coerce=int, required=False, empty_value=None
    )
    note = forms.CharField(
        label=_("备注"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    error_fields = {"equipment": "equipment"}

    def __init__(self, *args, equipment_choices=None, spare_choices=None, **kwargs):
        super().__init__(*args, **kwargs)
        if equipment_choices is not None:
            cast(forms.ChoiceField, self.fields["equipment"]).choices = equipment_choices
            self.fields["equipment"].required = True
            del self.fields["serial_number"]
        else:
            del self.fields["equipment"]
            self.fields["serial_number"].required = True
        cast(forms.ChoiceField, self.fields["loaner"]).choices = [
            ("", _("不借用")),
            *(spare_choices or []),
        ]

    def place_error(self, field: str, message: str) -> bool:
        if field == "equipment" and "serial_number" in self.fields:
            self.add_error("serial_number", message)
            return True
        return super().place_error(field, message)


class StepForm(forms.Form):
    state = forms.ChoiceField(choices=Shipment.State.choices)
    note = forms.CharField(max_length=500, required=False)


class SpareForm(ServiceErrorsForm):
    org_unit = forms.TypedChoiceField(label=_("保管单位"), coerce=int)
    kind = forms.ChoiceField(label=_("类型"), choices=Equipment.Kind.choices)
    model = forms.CharField(label=_("型号"), max_length=100)
    available = forms.IntegerField(label=_("在库"), min_value=0, initial=1)
    minimum = forms.IntegerField(label=_("最低库存"), min_value=0, initial=1)

    def __init__(self, *args, unit_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["org_unit"]).choices = list(unit_choices)

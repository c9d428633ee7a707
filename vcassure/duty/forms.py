"""HTML input for duty pages. The venue part is one simple form (units + levels + systems) that
the shared venue picker can replace: it only has to produce `venue_filter` for venues_choose."""

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from vcassure.core.forms import ServiceErrorsForm
from vcassure.duty.models import SpecialPeriod
from vcassure.orgs.models import OrgUnit, Staff
from vcassure.venues.models import CustomerSystem


def parse_windows(text: str) -> list[dict]:
    """ "08:00-12:00, 14:00-18:00" → [{"start": "08:00", "end": "12:00"}, ...]; the services
    check the times themselves."""
    windows = []
    for part in (text or "").replace("，", ",").split(","):
        part = part.strip()
        if not part:
            continue
        start, sep, end = part.replace("–", "-").replace("~", "-").partition("-")
        if not sep:
            raise forms.ValidationError(_("时段格式应为 08:00-20:00，多个时段用逗号分隔。"))
        windows.append({"start": start.strip(), "end": end.strip()})
    return windows


class PeriodForm(ServiceErrorsForm):
    error_fields = {
        "venues": "org_units",
        "venue_filter": "org_units",
        "venue_filter.org_units": "org_units",
        "venue_filter.levels": "levels",
    }

    name = forms.CharField(label=gettext_lazy("名称"), max_length=100)
    starts_on = forms.DateField(
        label=gettext_lazy("开始日期"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    ends_on = forms.DateField(
        label=gettext_lazy("结束日期"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    mode = forms.ChoiceField(label=gettext_lazy("模式"), choices=SpecialPeriod.Mode.choices)
    duty_hours = forms.CharField(
        label=gettext_lazy("客户值班时段"),
        required=False,
        help_text=gettext_lazy("仅“客户值班时段”模式：如 08:00-20:00，多个时段用逗号分隔。"),
    )
    shift_hours = forms.TypedChoiceField(
        label=gettext_lazy("班次时长"),
        coerce=int,
        choices=[(8, gettext_lazy("8 小时")), (12, gettext_lazy("12 小时"))],
    )
    org_units = forms.ModelMultipleChoiceField(
        label=gettext_lazy("会场范围(组织单元)"),
        queryset=OrgUnit.objects.none(),
        help_text=gettext_lazy("所选单元及其下级的全部启用会场。"),
    )
    levels = forms.MultipleChoiceField(
        label=gettext_lazy("会场层级"),
        required=False,
        choices=OrgUnit.Level.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("不选则包括各层级。"),
    )
    systems = forms.MultipleChoiceField(
        label=gettext_lazy("视频会商系统"),
        required=False,
        choices=[],
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("不选则包括全部系统。"),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["org_units"]
        assert isinstance(field, forms.ModelMultipleChoiceField)
        field.queryset = (
            OrgUnit.objects.visible_to(user).exclude(level=OrgUnit.Level.TOWNSHIP).order_by("path")
        )
        systems = self.fields["systems"]
        assert isinstance(systems, forms.MultipleChoiceField)
        systems.choices = [(s.code, s.name) for s in CustomerSystem.objects.order_by("code")]

    def clean_duty_hours(self) -> list[dict]:
        return parse_windows(self.cleaned_data.get("duty_hours", ""))

    def venue_filter(self) -> dict:
        return {
            "org_units": [u.pk for u in self.cleaned_data["org_units"]],
            "levels": self.cleaned_data.get("levels") or [],
            "systems": self.cleaned_data.get("systems") or [],
        }


class SwapRequestForm(forms.Form):
    taker: forms.ModelChoiceField = forms.ModelChoiceField(
        label=gettext_lazy("请谁接班"), queryset=Staff.objects.none()
    )
    reason = forms.CharField(label=gettext_lazy("原因"), max_length=200, required=False)

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["taker"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = candidates

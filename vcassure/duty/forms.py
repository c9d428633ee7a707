"""HTML input for duty pages. The venues come from the shared venue picker (a list of ids, any
system: a period may span systems); venues_choose checks their scope as it does for the API."""

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from vcassure.core.forms import ServiceErrorsForm
from vcassure.duty.models import SpecialPeriod
from vcassure.orgs.models import Staff
from vcassure.venues.forms import VenuePickerField


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
    error_fields = {"venue_filter": "venues", "venue_filter.org_units": "venues"}

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
    venues = VenuePickerField(label=gettext_lazy("会场"), required=False)

    def clean_duty_hours(self) -> list[dict]:
        return parse_windows(self.cleaned_data.get("duty_hours", ""))

    def venue_ids(self) -> list[int]:
        return self.cleaned_data.get("venues") or []


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

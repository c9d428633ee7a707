"""The plan form: what a person types, checked for types; the service checks the rest. The
venues come from the shared venue picker, following the chosen system (branch venues only)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from vcassure.checklists.models import ChecklistTemplate
from vcassure.core.forms import ServiceErrorsForm
from vcassure.routine.models import InspectionPlan
from vcassure.venues.forms import VenuePickerField
from vcassure.venues.models import CustomerSystem

WEEKDAYS = [
    (0, _("周一")),
    (1, _("周二")),
    (2, _("周三")),
    (3, _("周四")),
    (4, _("周五")),
    (5, _("周六")),
    (6, _("周日")),
]


class PlanForm(ServiceErrorsForm):
    name = forms.CharField(label=_("名称"), max_length=100)
    system = forms.ModelChoiceField(
        label=_("系统"), queryset=CustomerSystem.objects.order_by("code"), to_field_name="code"
    )
    venues = VenuePickerField(label=_("会场"), required=False, system_field="system", role="branch")
    frequency = forms.ChoiceField(label=_("频次"), choices=InspectionPlan.Frequency.choices)
    weekdays = forms.TypedMultipleChoiceField(
        label=_("每周哪几天"),
        choices=WEEKDAYS,
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    month_day = forms.IntegerField(label=_("每月几号"), min_value=1, max_value=31, required=False)
    working_days_only = forms.BooleanField(
        label=_("仅工作日（按工作日历，含调休上班日）"), required=False, initial=True
    )
    checklist_template = forms.ModelChoiceField(
        label=_("检查模板"),
        queryset=ChecklistTemplate.objects.filter(is_active=True).order_by("applies_to", "code"),
    )
    due_time = forms.TimeField(
        label=_("完成时限"), widget=forms.TimeInput(attrs={"type": "time"}), initial="10:00"
    )

    error_fields = {"venue_filter": "venues"}

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["checklist_template"].initial = (
            ChecklistTemplate.objects.filter(applies_to="inspection", is_active=True)
            .values_list("pk", flat=True)
            .first()
        )

    def service_fields(self) -> dict:
        data = self.cleaned_data
        return {
            "name": data["name"],
            "system": data["system"].code,
            "venues": data["venues"],
            "frequency": data["frequency"],
            "weekdays": data["weekdays"],
            "month_day": data["month_day"],
            "working_days_only": data["working_days_only"],
            "checklist_template": data["checklist_template"].pk,
            "due_time": data["due_time"],
        }

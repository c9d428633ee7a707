"""The template builder's input: the template's fields and a formset of its steps."""

from django import forms
from django.utils.translation import gettext_lazy as _

from vcassure.checklists.models import IMPORTANCE_CHOICES, ChecklistStep, ChecklistTemplate
from vcassure.core.forms import ServiceErrorsForm
from vcassure.venues.models import CustomerSystem

EXTRA_STEP_ROWS = 3


class TemplateForm(ServiceErrorsForm):
    name = forms.CharField(label=_("名称"), max_length=100)
    code = forms.SlugField(
        label=_("代码"), max_length=40, help_text=_("英文字母、数字和连字符，例如 water-daily")
    )
    kind = forms.ChoiceField(label=_("类型"), choices=ChecklistTemplate.Kind.choices)
    applies_to = forms.ChoiceField(label=_("适用于"), choices=ChecklistTemplate.AppliesTo.choices)
    system = forms.ModelChoiceField(
        label=_("系统"),
        queryset=CustomerSystem.objects.order_by("code"),
        required=False,
        empty_label=_("全部系统"),
    )
    importances = forms.MultipleChoiceField(
        label=_("会议重要性"),
        choices=IMPORTANCE_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("不选表示全部"),
    )
    inspection_kind = forms.CharField(
        label=_("巡检类别"), max_length=40, required=False, help_text=_("例如：日常、汛期")
    )
    is_active = forms.BooleanField(label=_("启用"), required=False, initial=True)


class StepForm(forms.Form):
    title = forms.CharField(label=_("步骤"), max_length=200, required=False)
    guidance = forms.CharField(label=_("说明"), required=False, max_length=1000)
    phase = forms.ChoiceField(
        label=_("时机"), choices=ChecklistStep.Phase.choices, initial=ChecklistStep.Phase.ANY
    )
    requires_photo = forms.BooleanField(label=_("需拍照"), required=False)
    reading_label = forms.CharField(label=_("读数名称"), max_length=40, required=False)
    reading_unit = forms.CharField(label=_("单位"), max_length=12, required=False)
    reading_min = forms.DecimalField(
        label=_("下限"), max_digits=10, decimal_places=3, required=False
    )
    reading_max = forms.DecimalField(
        label=_("上限"), max_digits=10, decimal_places=3, required=False
    )


StepFormSet = forms.formset_factory(StepForm, extra=EXTRA_STEP_ROWS, max_num=30)


def steps_from(formset) -> list[dict]:
    """The filled step rows, in order (an empty row is skipped)."""
    return [
        f.cleaned_data
        for f in formset.forms
        if f.cleaned_data
        and any(
            f.cleaned_data.get(k) not in (None, "", False)
            for k in ("title", "guidance", "reading_label", "reading_min", "reading_max")
        )
    ]


def initial_of(template: ChecklistTemplate) -> tuple[dict, list[dict]]:
    fields = {
        "name": template.name,
        "code": template.code,
        "kind": template.kind,
        "applies_to": template.applies_to,
        "system": template.system_id,
        "importances": template.importances,
        "inspection_kind": template.inspection_kind,
        "is_active": template.is_active,
    }
    steps = [
        {
            "title": s.title,
            "guidance": s.guidance,
            "phase": s.phase,
            "requires_photo": s.requires_photo,
            "reading_label": s.reading_label,
            "reading_unit": s.reading_unit,
            "reading_min": s.reading_min,
            "reading_max": s.reading_max,
        }
        for s in template.steps.all()
    ]
    return fields, steps

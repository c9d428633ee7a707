from django import forms
from django.utils.translation import gettext_lazy as _

from vcassure.core.forms import ServiceErrorsForm
from vcassure.integrations.models import EventType, WebhookDelivery


class WebhookForm(ServiceErrorsForm):
    url = forms.CharField(
        label=_("接收地址"),
        max_length=500,
        widget=forms.TextInput(attrs={"placeholder": "https://", "autocomplete": "off"}),
    )
    events = forms.MultipleChoiceField(
        label=_("事件类型"),
        choices=EventType.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("值守班次无人、设备探测失败两类事件在对应功能上线后开始发送。"),
    )
    secret = forms.CharField(
        label=_("签名密钥"),
        required=False,
        max_length=200,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text=_("whsec_ 开头的 Base64 密钥；新建时留空则自动生成，编辑时留空则保持不变。"),
    )
    description = forms.CharField(label=_("说明"), required=False, max_length=200)
    is_active = forms.BooleanField(label=_("启用"), required=False, initial=True)

    def service_fields(self) -> dict:
        data = dict(self.cleaned_data)
        if not data.get("secret"):
            data.pop("secret", None)
        return data


class DeliveryFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("状态"),
        required=False,
        choices=[("", _("全部")), *WebhookDelivery.Status.choices],
    )
    event_type = forms.ChoiceField(
        label=_("事件类型"), required=False, choices=[("", _("全部")), *EventType.choices]
    )

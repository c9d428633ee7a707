"""Probe settings per device for administrators. Secrets are write-only: the form never shows
them back (only whether one is set), and saving goes through probes.services."""

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from vcassure.probes.crypto import masked
from vcassure.probes.models import ProbeResult, ProbeTarget
from vcassure.probes.services import probe_target_save

SECRET_HELP = _("留空则保留已保存的值。")


class ProbeTargetForm(forms.ModelForm):
    community = forms.CharField(
        label=_("SNMP 团体名"),
        required=False,
        widget=forms.PasswordInput(render_value=False),
        help_text=SECRET_HELP,
    )
    auth_key = forms.CharField(
        label=_("认证密钥"),
        required=False,
        widget=forms.PasswordInput(render_value=False),
        help_text=SECRET_HELP,
    )
    priv_key = forms.CharField(
        label=_("加密密钥"),
        required=False,
        widget=forms.PasswordInput(render_value=False),
        help_text=SECRET_HELP,
    )

    class Meta:
        model = ProbeTarget
        fields = (
            "equipment",
            "method",
            "port",
            "snmp_version",
            "snmp_user",
            "auth_protocol",
            "priv_protocol",
            "uplink_if_index",
            "is_active",
        )


@admin.register(ProbeTarget)
class ProbeTargetAdmin(admin.ModelAdmin):
    form = ProbeTargetForm
    list_display = ("equipment", "method", "port", "snmp_version", "credentials", "is_active")
    list_select_related = ("equipment__venue",)
    raw_id_fields = ("equipment",)

    @admin.display(description=_("凭据"))
    def credentials(self, obj: ProbeTarget) -> str:
        return masked(obj.community_encrypted or obj.auth_key_encrypted)

    def save_model(self, request, obj, form, change) -> None:
        data = form.cleaned_data
        target = probe_target_save(
            equipment=data["equipment"],
            method=data["method"],
            port=data["port"],
            snmp_version=data["snmp_version"],
            community=data["community"] or None,
            snmp_user=data["snmp_user"],
            auth_protocol=data["auth_protocol"],
            auth_key=data["auth_key"] or None,
            priv_protocol=data["priv_protocol"],
            priv_key=data["priv_key"] or None,
            uplink_if_index=data["uplink_if_index"],
        )
        if target.is_active != data["is_active"]:
            target.is_active = data["is_active"]
            target.save(update_fields=["is_active", "updated_at"])
        obj.pk = target.pk


@admin.register(ProbeResult)
class ProbeResultAdmin(admin.ModelAdmin):
    list_display = ("equipment", "method", "ok", "failure", "rtt_ms", "checked_at")
    list_filter = ("ok", "method", "failure")
    list_select_related = ("equipment__venue",)
    raw_id_fields = ("equipment", "run")

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

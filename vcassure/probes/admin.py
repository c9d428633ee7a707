"""Probe settings per device for administrators. Secrets are write-only: the form never shows
them back (only whether one is set), and saving goes through probes.services."""

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from vcassure.probes.crypto import masked
from vcassure.probes.forms import secret_field
from vcassure.probes.models import ProbeResult, ProbeTarget
from vcassure.probes.services import PLAIN_FIELDS, probe_target_save


class ProbeTargetForm(forms.ModelForm):
    community = secret_field(_("SNMP 团体名"))
    auth_key = secret_field(_("认证密钥"))
    priv_key = secret_field(_("加密密钥"))

    class Meta:
        model = ProbeTarget
        fields = ("equipment", *PLAIN_FIELDS)


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
            is_active=data["is_active"],
            by=request.user,
        )
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

"""The probe settings form of a device's page. Secrets are write-only: never rendered back, blank
keeps the stored one; the rules live in services.probe_target_save."""

from django import forms
from django.utils.translation import gettext_lazy as _

from vcassure.core.forms import ServiceErrorsForm
from vcassure.probes.models import Method, ProbeTarget

SECRET_HELP = _("留空则保留已保存的值。")


def secret_field(label) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=False,
        max_length=200,
        strip=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text=SECRET_HELP,
    )


class ProbeTargetForm(ServiceErrorsForm):
    method = forms.ChoiceField(label=_("探测方式"), choices=Method.choices)
    port = forms.IntegerField(
        label=_("端口"),
        required=False,
        min_value=1,
        max_value=65535,
        help_text=_("TCP 探测必填：终端的 SIP/H.323/Web 端口。"),
    )
    snmp_version = forms.ChoiceField(
        label=_("SNMP 版本"),
        required=False,
        choices=[("", "—"), *ProbeTarget.SnmpVersion.choices],
    )
    community = secret_field(_("SNMP 团体名(v2c)"))
    snmp_user = forms.CharField(label=_("SNMPv3 用户"), required=False, max_length=64)
    auth_protocol = forms.ChoiceField(
        label=_("认证协议"), required=False, choices=ProbeTarget.AuthProtocol.choices
    )
    auth_key = secret_field(_("认证密钥"))
    priv_protocol = forms.ChoiceField(
        label=_("加密协议"), required=False, choices=ProbeTarget.PrivProtocol.choices
    )
    priv_key = secret_field(_("加密密钥"))
    uplink_if_index = forms.IntegerField(
        label=_("上联端口 ifIndex"),
        required=False,
        min_value=1,
        help_text=_("SNMP 探测时读取该端口的 ifOperStatus。"),
    )
    is_active = forms.BooleanField(label=_("启用"), required=False, initial=True)

    def __init__(self, *args, target: ProbeTarget | None = None, **kwargs):
        if target is not None:
            kwargs.setdefault(
                "initial",
                {
                    "method": target.method,
                    "port": target.port,
                    "snmp_version": target.snmp_version,
                    "snmp_user": target.snmp_user,
                    "auth_protocol": target.auth_protocol,
                    "priv_protocol": target.priv_protocol,
                    "uplink_if_index": target.uplink_if_index,
                    "is_active": target.is_active,
                },
            )
        super().__init__(*args, **kwargs)
        stored = {
            "community": bool(target and target.community_encrypted),
            "auth_key": bool(target and target.auth_key_encrypted),
            "priv_key": bool(target and target.priv_key_encrypted),
        }
        for name, is_set in stored.items():
            self.fields[name].is_set = is_set  # type: ignore[attr-defined]
            if is_set:
                self.fields[name].widget.attrs["placeholder"] = _("已设置")

    def service_fields(self) -> dict:
        """probe_target_save's arguments: a blank secret is None (keep the stored one)."""
        data = dict(self.cleaned_data)
        for name in ("community", "auth_key", "priv_key"):
            data[name] = data.get(name) or None
        return data

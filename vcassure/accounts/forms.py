from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from vcassure.accounts.services import login_attempt_record, login_is_throttled
from vcassure.core.middleware import request_client_ip


class ThrottledAuthenticationForm(AuthenticationForm):
    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _("用户名或密码错误。"),
        "throttled": _("登录失败次数过多，请 %(minutes)s 分钟后再试。"),
    }

    def clean(self):
        from django.conf import settings

        username = (self.cleaned_data.get("username") or "").strip()
        ip = request_client_ip(self.request) if self.request else None
        if login_is_throttled(username=username, ip_address=ip):
            raise forms.ValidationError(
                self.error_messages["throttled"],
                code="throttled",
                params={"minutes": settings.LOGIN_FAILURE_WINDOW_MINUTES},
            )
        try:
            cleaned = super().clean()
        except forms.ValidationError:
            login_attempt_record(username=username, ip_address=ip, succeeded=False)
            raise
        login_attempt_record(username=username, ip_address=ip, succeeded=True)
        return cleaned

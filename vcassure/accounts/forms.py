from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _


class LoginForm(AuthenticationForm):
    """Django's login form with a plain message. Failures are counted, and locked-out attempts
    refused, by django-axes' authentication backend (settings AUTHENTICATION_BACKENDS)."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _("用户名或密码错误。"),
    }

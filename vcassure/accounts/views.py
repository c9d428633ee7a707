from django.conf import settings
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _

from vcassure.accounts.forms import LoginForm
from vcassure.core.middleware import API_PREFIX


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


def login_locked_out(
    request: HttpRequest, response: HttpResponse | None = None, credentials: dict | None = None
) -> HttpResponse:
    """django-axes' answer to a locked-out login, on every login page (AXES_LOCKOUT_CALLABLE):
    HTTP 429 with the wait, a page for a person, JSON in the API's error shape for the API."""
    minutes = settings.LOGIN_FAILURE_WINDOW_MINUTES
    message = _("登录失败次数过多，请 %(minutes)s 分钟后再试。") % {"minutes": minutes}
    answer: HttpResponse
    if request.path.startswith(API_PREFIX):
        answer = JsonResponse(
            {"detail": message, "errors": [{"code": "login_locked_out"}]},
            status=429,
            json_dumps_params={"ensure_ascii": False},
        )
    else:
        answer = render(request, "accounts/locked_out.html", {"message": message}, status=429)
    answer["Retry-After"] = str(minutes * 60)
    add_never_cache_headers(answer)
    return answer

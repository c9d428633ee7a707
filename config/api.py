"""The one NinjaAPI: authentication, the error shape of SPEC §6, and every app's router."""

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.views import defaults
from django.views.decorators.csrf import csrf_exempt
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from vcassure.accounts.api import BearerTokenAuth, SessionAuth
from vcassure.core.api import document_error_responses
from vcassure.core.api import router as core_router
from vcassure.core.errors import ApplicationError
from vcassure.duty.api import router as duty_router
from vcassure.faults.api import router as faults_router
from vcassure.faults.api_rma import router as rma_router
from vcassure.integrations.api import router as integrations_router
from vcassure.meetings.api import ROUTERS as MEETINGS_ROUTERS
from vcassure.notifications.api import router as notifications_router
from vcassure.orgs.api import router as orgs_router
from vcassure.reports.api import router as reports_router
from vcassure.routine.api import router as routine_router
from vcassure.venues.api import router as venues_router

api = NinjaAPI(
    title="VC Assure API",
    version="1",
    description="视频会商保障平台 API (SPEC §6)",
    auth=[BearerTokenAuth(), SessionAuth()],
    urls_namespace="api",
    docs_url="/docs",
    openapi_url="/openapi.json",
)


def _error(request: HttpRequest, status: int, detail: str, errors: list | None = None, **extra):
    return api.create_response(
        request, {"detail": detail, "errors": errors or [], **extra}, status=status
    )


@api.exception_handler(NinjaValidationError)
def on_validation_error(request: HttpRequest, exc: NinjaValidationError):
    errors = [
        {
            "loc": list(err.get("loc", [])),
            "msg": str(err.get("msg", "")),
            "type": err.get("type", ""),
        }
        for err in exc.errors
    ]
    return _error(request, 422, _("请求参数无效。"), errors)


@api.exception_handler(AuthenticationError)
def on_auth_error(request: HttpRequest, exc):
    return _error(request, 401, _("未登录或令牌无效。"))


@api.exception_handler(Http404)
def on_not_found(request: HttpRequest, exc):
    return _error(request, 404, _("未找到。"))


@api.exception_handler(ObjectDoesNotExist)
def on_object_missing(request: HttpRequest, exc):
    return _error(request, 404, _("未找到。"))


@api.exception_handler(PermissionDenied)
def on_permission_denied(request: HttpRequest, exc):
    return _error(request, 403, str(exc) or _("无权执行此操作。"))


@api.exception_handler(ApplicationError)
def on_application_error(request: HttpRequest, exc: ApplicationError):
    return _error(request, exc.status_code, exc.message, exc.errors)


@api.exception_handler(HttpError)
def on_http_error(request: HttpRequest, exc: HttpError):
    cause = exc.__cause__
    if exc.status_code == 400 and cause is not None:  # ninja could not parse the body
        if isinstance(cause, ValueError):  # not JSON, or not UTF-8
            return _error(
                request,
                400,
                _("请求体不是有效的 JSON。"),
                [{"field": "body", "message": str(cause)}],
            )
        return _error(request, 400, _("无法读取请求：请求体或查询参数过大或格式有误。"))
    return _error(request, exc.status_code, str(exc.message))


@csrf_exempt
def not_found(request: HttpRequest) -> HttpResponse:
    """Any other path under /api/ (config/urls.py): the API's 404, not the site's HTML page."""
    return _error(request, 404, _("未找到。"))


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """Django's 400 (`handler400`): a body or query string past its limits, a broken multipart
    form. Django logs it; under /api/ it is answered in the API's error shape."""
    if request.path_info.startswith("/api/"):
        return _error(request, 400, _("无法读取请求：请求体或查询参数过大或格式有误。"))
    return defaults.bad_request(request, exception)


ROUTERS = [
    core_router,
    orgs_router,
    venues_router,
    *MEETINGS_ROUTERS,
    notifications_router,
    faults_router,
    rma_router,
    integrations_router,
    reports_router,
    duty_router,
    routine_router,
]
for _router in ROUTERS:
    api.add_router("", _router)
document_error_responses(api, ROUTERS)

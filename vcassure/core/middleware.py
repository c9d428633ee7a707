import logging
import re
import uuid
from collections.abc import Callable
from urllib.parse import unquote

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.urls import Resolver404, ResolverMatch, get_resolver, resolve
from django.utils import translation
from django.utils.translation import gettext as _

from vcassure.core import context


def request_client_ip(request: HttpRequest) -> str | None:
    """The client's address: REMOTE_ADDR, or, when that is one of TRUSTED_PROXIES (the reverse
    proxy in front of gunicorn), the nearest address of X-Forwarded-For that is not a trusted
    proxy. Login throttling locks by this address, so behind a proxy it must not be the proxy's."""
    remote = request.META.get("REMOTE_ADDR") or None
    trusted = set(settings.TRUSTED_PROXIES)
    if remote is None or remote not in trusted:
        return remote
    forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    for address in reversed(forwarded):  # the proxy appends what it saw: read from the right
        if address and address not in trusted:
            return address
    return remote


REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


def request_id_for(request: HttpRequest) -> str:
    """The reverse proxy's X-Request-ID when it looks like one, else a new one."""
    given = request.headers.get("X-Request-ID", "")
    return given if REQUEST_ID.match(given) else uuid.uuid4().hex


class RequestContextMiddleware:
    """Remembers the client address so that services can write it to the audit log, and the
    request id that every log line of the request carries (answered as X-Request-ID)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = context.client_ip.set(request_client_ip(request))
        rid = request_id_for(request)
        rid_token = context.request_id.set(rid)
        try:
            response = self.get_response(request)
            response.headers.setdefault("X-Request-ID", rid)
            return response
        finally:
            context.request_id.reset(rid_token)
            context.client_ip.reset(token)


POLL_PARAMETER = "poll"


def is_background_poll(request: HttpRequest) -> bool:
    """An HTMX request that a page repeats by itself (`hx-trigger="every 5s"` with `?poll=1`), not a
    person's action."""
    return request.headers.get("HX-Request") == "true" and request.GET.get(POLL_PARAMETER) == "1"


def poll_url(request: HttpRequest) -> str:
    """This page's address marked as a background poll (its filters and page kept)."""
    query = request.GET.copy()
    query[POLL_PARAMETER] = "1"
    return f"{request.path}?{query.urlencode()}"


class IdleSessionMiddleware:
    """Sessions end after SESSION_COOKIE_AGE without activity. Every request a person makes restarts
    that clock (the session is saved again with a new expiry); background polls do not, so a dashboard
    left open on an unattended screen does not keep its login alive for ever. Sits just inside
    SessionMiddleware, which saves a modified session on the way out."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is not None and not is_background_poll(request):
            session.modified = True
        return response


class LanguageMiddleware:
    """Chinese unless the user chose another language (the language menu sets a cookie).
    Unlike Django's LocaleMiddleware it ignores Accept-Language: an English-language browser
    at the operator's dispatch desk must still get the Chinese interface by default."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response
        self.supported = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request: HttpRequest) -> HttpResponse:
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen in self.supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response


request_logger = logging.getLogger("django.request")
# URL parameters that are credentials: whoever has the path holds the link (acknowledgement, share).
CREDENTIAL_PARAMETERS = ("token",)
REDACTED = "[redacted]"


def _credentials_in(path: str, match: ResolverMatch | None = None) -> list[str]:
    """The credential parameters of the route `path` resolves to (its match, if already known)."""
    if match is None:
        try:
            match = resolve(path)
        except Resolver404:
            return []
    return [str(match.kwargs[name]) for name in CREDENTIAL_PARAMETERS if match.kwargs.get(name)]


def redacted_path(path: str, match: ResolverMatch | None = None) -> str | None:
    """`path` with its credential parameters replaced; None if its route takes none."""
    values = _credentials_in(path, match)
    if not values:
        return None
    for value in values:
        path = path.replace(value, REDACTED)
    return path


def _redacted_path(request: HttpRequest) -> str | None:
    """The request's path with its credential parameters replaced; None if it carries none."""
    match = getattr(request, "resolver_match", None)
    if match is None:
        return None
    return redacted_path(request.path, match)


def redacted_request_line(line: str) -> str:
    """An HTTP request line as access logs print it ("GET /ack/<token>?a=1 HTTP/1.1") with the
    credential in its path replaced; a line whose route takes no credential is returned as is."""
    method, _space, rest = line.partition(" ")
    target, _space, version = rest.partition(" ")
    path, mark, query = target.partition("?")
    redacted = redacted_path(unquote(path)) if path.startswith("/") else None
    if redacted is None:
        return line
    return " ".join(part for part in (method, f"{redacted}{mark}{query}", version) if part)


def has_credential_path(request: HttpRequest) -> bool:
    match = getattr(request, "resolver_match", None)
    return bool(_credentials_in(request.path_info, match))


class CredentialPathNoStoreMiddleware:
    """Every answer to a path that carries a credential (an acknowledgement or share link, or the
    API behind it) is kept out of caches, referrers and search engines: the working page and every
    refusal alike (a forged or expired token, a wrong method, a bad parameter, a 404 raised inside).
    Sits near the top, so that answers of the middleware below it are covered too."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if has_credential_path(request):
            response["Cache-Control"] = "no-store"
            response["Referrer-Policy"] = "no-referrer"
            response["X-Robots-Tag"] = "noindex, nofollow"
        return response


class CredentialPathLogMiddleware:
    """Django logs every 4xx and 5xx response as "Not Found: <path>" (with the request attached).
    The path of an acknowledgement or share link is the credential itself, so for those routes this
    logs the path with the token replaced and marks the response as logged, and answers an Http404
    raised there before Django's own handler logs the raw path."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.status_code >= 400 and not getattr(response, "_has_been_logged", False):
            path = _redacted_path(request)
            if path is not None:
                log = (
                    request_logger.error if response.status_code >= 500 else request_logger.warning
                )
                log(
                    "%s: %s",
                    response.reason_phrase,
                    path,
                    extra={"status_code": response.status_code},
                )
                response._has_been_logged = True  # type: ignore[attr-defined]  # Django's own marker
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, Http404) and _redacted_path(request) is not None:
            handler: Callable[..., HttpResponse] = get_resolver(
                getattr(request, "urlconf", None)
            ).resolve_error_handler(404)
            return handler(request, exception)
        return None


API_PREFIX = "/api/"


def _nul_in(request: HttpRequest) -> list | None:
    """Where a NUL character sits in the request's path, query string, form fields or JSON body."""
    if "\x00" in request.path:
        return ["path"]
    for key, values in request.GET.lists():
        if "\x00" in key or any("\x00" in v for v in values):
            return ["query", key.replace("\x00", "")]
    if request.method in ("POST", "PUT", "PATCH"):
        if request.content_type == "application/json":
            if b"\x00" in request.body or b"\\u0000" in request.body:
                return ["body"]
        elif request.content_type == "application/x-www-form-urlencoded":
            for key, values in request.POST.lists():
                if "\x00" in key or any("\x00" in v for v in values):
                    return ["form", key.replace("\x00", "")]
        # multipart/form-data is left to the forms (Django's CharField refuses NUL): reading it
        # here would hold every uploaded file in memory.
    return None


class RejectNulMiddleware:
    """No valid input contains a NUL character, and PostgreSQL refuses to store or even compare
    one (a server error). Refuse it at the door: 422 in the API's error shape, 400 for pages."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        where = _nul_in(request)
        if where is None:
            return self.get_response(request)
        if request.path.startswith(API_PREFIX):
            error = {
                "loc": where,
                "msg": "NUL character (U+0000) is not allowed",
                "type": "nul_character",
            }
            return JsonResponse(
                {"detail": _("请求参数无效。"), "errors": [error]},
                status=422,
                json_dumps_params={"ensure_ascii": False},
            )
        return HttpResponseBadRequest(_("请求参数无效。"), content_type="text/plain; charset=utf-8")

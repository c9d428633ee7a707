"""The page behind a personal acknowledgement link: no login, the signed token is the credential.
A phone page with the task and one button; used, expired or forged links get a clear page."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from vcassure.meetings import selectors
from vcassure.notifications.services import (
    AckError,
    notification_ack_by_token,
    notification_from_token,
)

STATUS_BY_CODE = {"invalid": 404, "expired": 410, "used": 200, "cancelled": 410}


@csrf_exempt  # no session: the single-use signed token in the URL is the proof
@require_http_methods(["GET", "POST"])
def ack_page(request: HttpRequest, token: str) -> HttpResponse:
    try:
        notification = notification_from_token(token)
    except AckError as exc:
        return render(
            request,
            "meetings/ack.html",
            {"error": exc.reason, "code": exc.code},
            status=STATUS_BY_CODE[exc.code],
        )
    context = {"notification": notification, **selectors.ack_context(notification)}
    if request.method == "POST":
        try:
            ack = notification_ack_by_token(token)
        except AckError as exc:
            return render(
                request,
                "meetings/ack.html",
                {**context, "error": exc.reason, "code": exc.code},
                status=STATUS_BY_CODE[exc.code],
            )
        notification.acknowledged_at = ack.acknowledged_at
        return render(
            request, "meetings/ack.html", {**context, "done": True, "first": ack.first_time}
        )
    if notification.token_used_at is not None:
        context.update(error=None, done=True, first=False)
    return render(request, "meetings/ack.html", context)

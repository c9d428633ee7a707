"""The page behind a personal acknowledgement link: no login, the signed token is the credential.
A phone page with the task and one button; used, expired or forged links get a clear page.

The link also opens the way to the work: a valid link (used or not) about a venue task grants its
holder a pass for THAT task's field pages (check-in, steps, photos) until a few hours after the
meeting ends (FIELD_PASS_HOURS_AFTER_MEETING), so "进入现场工作" needs no password. Likewise the
assignee's fault notice grants a pass for THAT fault's phone page (on site, restored) for
FAULT_PASS_HOURS, while the fault is theirs and not closed."""

from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from vcassure.core import clock
from vcassure.core.errors import ApplicationError
from vcassure.core.passes import SubjectPass, pass_for, pass_grant
from vcassure.core.subjects import fault_ref, task_ref
from vcassure.faults.models import Fault
from vcassure.meetings import selectors
from vcassure.meetings.models import SupportTask
from vcassure.meetings.services import check_in
from vcassure.notifications.services import (
    AckError,
    notification_ack_by_token,
    notification_from_token,
)

STATUS_BY_CODE = {"invalid": 404, "expired": 410, "used": 200, "cancelled": 410}
FAULT_PASS_HOURS = 12
CLOSED_STATES = (SupportTask.State.CANCELLED, SupportTask.State.DONE)


def _grant_field_pass(request: HttpRequest, notification, task) -> bool:
    """The link's person gets a pass for the field pages of the task the notice is about, when it
    is their venue task, still open and not past the pass's end."""
    if (
        task is None
        or notification.is_cancelled
        or task.kind != SupportTask.Kind.VENUE
        or task.assignee_id != notification.recipient_id
        or task.state in CLOSED_STATES
    ):
        return False
    until = task.meeting.ends_at + timedelta(hours=settings.FIELD_PASS_HOURS_AFTER_MEETING)
    granted = SubjectPass(subject=task_ref(task.pk), staff_id=task.assignee_id, until=until)
    if not granted.allows(granted.subject):
        return False
    pass_grant(request, granted)
    return True


def _grant_fault_pass(request: HttpRequest, notification, fault_id: int | None) -> bool:
    """The link's person gets a pass for the phone page of the fault the notice is about, when
    the fault is assigned to them and not closed."""
    if fault_id is None or notification.is_cancelled:
        return False
    fault = Fault.objects.filter(pk=fault_id).only("id", "assignee_id", "state").first()
    if (
        fault is None
        or fault.assignee_id is None
        or fault.assignee_id != notification.recipient_id
        or fault.state == Fault.State.CLOSED
    ):
        return False
    until = clock.now() + timedelta(hours=FAULT_PASS_HOURS)
    pass_grant(
        request, SubjectPass(subject=fault_ref(fault.pk), staff_id=fault.assignee_id, until=until)
    )
    return True


def _check_in(request: HttpRequest, task) -> HttpResponse:
    """ "我已到场，签到" on the acknowledgement page: posted to the link itself (this page is served
    with Referrer-Policy: no-referrer, so a form posted from it carries Origin: null and would fail
    the CSRF check elsewhere; here the signed token is the credential). Checking in also
    acknowledges. Then on to the checklist, or back to the card with the reason."""
    held = pass_for(request, task_ref(task.pk))
    try:
        check_in.support_task_check_in(
            task,
            by=request.user,
            lat=request.POST.get("lat") or None,
            lng=request.POST.get("lng") or None,
            subject_pass=held if not request.user.is_authenticated else None,
        )
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect(reverse("meetings:task_field", args=[task.pk]) + "#check-in")
    except (PermissionDenied, SupportTask.DoesNotExist):
        messages.error(request, _("只有任务的保障人员本人可以签到。"))
        return redirect(reverse("meetings:task_field", args=[task.pk]))
    return redirect(reverse("meetings:task_field", args=[task.pk]) + "#checklists")


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
    context["field_pass"] = _grant_field_pass(request, notification, context["task"])
    context["fault_pass"] = _grant_fault_pass(request, notification, context["fault_id"])
    context["check_in_open"] = bool(
        context["field_pass"] and clock.now() >= check_in.check_in_opens_at(context["task"])
    )
    if request.method == "POST" and request.POST.get("check_in") and context["field_pass"]:
        return _check_in(request, context["task"])
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

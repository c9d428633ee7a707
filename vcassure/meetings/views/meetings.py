"""Meeting pages: the list, the form with its venue picker, the detail with its actions (publish,
reschedule, cancel), the notice download."""

import os
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from vcassure.accounts.types import UserLike
from vcassure.core.errors import ApplicationError
from vcassure.core.http import HtmxHttpRequest, get_or_404
from vcassure.core.pagination import paginate
from vcassure.core.uploads import content_type_for
from vcassure.meetings import selectors, services
from vcassure.meetings.forms import (
    CancelForm,
    MeetingFilterForm,
    MeetingForm,
    PublishForm,
    RescheduleForm,
    TaskFilterForm,
)
from vcassure.meetings.models import Meeting, SupportTask
from vcassure.meetings.permissions import can_manage_meetings
from vcassure.meetings.views import display

CHANGEABLE_STATES = {Meeting.State.DRAFT, Meeting.State.PUBLISHED}


CANCELLABLE_STATES = {Meeting.State.DRAFT, Meeting.State.PUBLISHED, Meeting.State.IN_PROGRESS}


def _require_editor(user: UserLike) -> None:
    if not can_manage_meetings(user):
        raise PermissionDenied(_("您的角色不能录入或发布会议。"))


@login_required
@require_GET
def meeting_list(request: HttpRequest):
    form = MeetingFilterForm(request.GET or None, user=request.user)
    # The venue-count annotation groups rows, and Django drops Meta.ordering from grouped queries.
    qs = selectors.meeting_list(user=request.user, **form.filters())
    return render(
        request,
        "meetings/meeting_list.html",
        {
            **paginate(request, qs),
            "filter_form": form,
            "can_create": can_manage_meetings(request.user),
        },
    )


@login_required
def meeting_create(request: HttpRequest):
    _require_editor(request.user)
    status = 200
    if request.method == "POST":
        form = MeetingForm(request.POST, request.FILES, user=request.user)
        if form.is_valid():
            try:
                meeting = services.meeting_create(by=request.user, **form.service_kwargs())
            except ApplicationError as exc:
                form.add_service_errors(exc)
            else:
                messages.success(
                    request,
                    _("会议已保存为草稿，共 %(n)s 个分会场。请核对人员安排后发布。")
                    % {"n": meeting.venues.count()},
                )
                return redirect("meetings:meeting_detail", pk=meeting.pk)
        status = 422
    else:
        form = MeetingForm(user=request.user)
    return render(
        request, "meetings/meeting_form.html", {"form": form, "meeting": None}, status=status
    )


@login_required
def meeting_edit(request: HttpRequest, pk: int):
    meeting = get_or_404(selectors.meeting_get, user=request.user, pk=pk)
    _require_editor(request.user)
    if not selectors.meeting_can_change(user=request.user, meeting=meeting):
        raise PermissionDenied(_("您只能查看该会议，不能修改。"))
    if meeting.state != Meeting.State.DRAFT:
        messages.error(request, _("只有草稿状态的会议可以编辑；已发布的会议请使用改期或取消。"))
        return redirect("meetings:meeting_detail", pk=meeting.pk)
    status = 200
    if request.method == "POST":
        form = MeetingForm(request.POST, request.FILES, user=request.user, meeting=meeting)
        if form.is_valid():
            try:
                meeting = services.meeting_update(meeting, by=request.user, **form.service_kwargs())
            except Meeting.DoesNotExist as exc:
                raise Http404 from exc
            except ApplicationError as exc:
                form.add_service_errors(exc)
            else:
                messages.success(
                    request, _("会议已更新，共 %(n)s 个分会场。") % {"n": meeting.venues.count()}
                )
                return redirect("meetings:meeting_detail", pk=meeting.pk)
        status = 422
    else:
        form = MeetingForm(user=request.user, meeting=meeting)
    return render(
        request, "meetings/meeting_form.html", {"form": form, "meeting": meeting}, status=status
    )


def _detail_context(request: HttpRequest, meeting: Meeting, **forms) -> dict:
    user = request.user
    can_change = can_manage_meetings(user) and selectors.meeting_can_change(
        user=user, meeting=meeting
    )
    context = {
        "meeting": meeting,
        "can_change": can_change,
        "events": [
            (event, display.event_summary(event)) for event in selectors.meeting_event_list(meeting)
        ],
        "conflicts": selectors.meeting_conflicts(meeting, user=user),
        "publish_form": forms.get("publish_form") or PublishForm(),
        "reschedule_form": forms.get("reschedule_form")
        or RescheduleForm(initial={"starts_at": meeting.starts_at, "ends_at": meeting.ends_at}),
        "cancel_form": forms.get("cancel_form") or CancelForm(),
        "can_reschedule": can_change and meeting.state in CHANGEABLE_STATES,
        "can_cancel": can_change and meeting.state in CANCELLABLE_STATES,
    }
    if meeting.state == Meeting.State.DRAFT:
        branch = selectors.meeting_venue_list(meeting)
        context.update(
            {
                "plan": display.plan_summary(services.meeting_plan(meeting)),
                "branch_count": branch.count(),
                "branch_rows": branch[: selectors.PREVIEW_LIMIT],
                "preview_limit": selectors.PREVIEW_LIMIT,
            }
        )
    else:
        tree = display.decorate_tree(selectors.task_tree(meeting, user=user))
        task_filter = TaskFilterForm(request.GET or None, units=display.tree_units(tree))
        context.update(
            {
                "tree": tree,
                "task_filter": task_filter,
                "patrols": list(
                    selectors.task_list(
                        user=user, meeting=meeting, kind=SupportTask.Kind.PATROL
                    ).order_by("fibre_route__name", "id")
                ),
                **_venue_tasks(request, meeting, task_filter),
            }
        )
    return context


def _venue_tasks(request: HttpRequest, meeting: Meeting, task_filter: TaskFilterForm) -> dict:
    qs = selectors.task_list(
        user=request.user, meeting=meeting, kind=SupportTask.Kind.VENUE, **task_filter.filters()
    )
    return paginate(request, qs)


def _render_detail(request: HttpRequest, meeting: Meeting, *, status: int = 200, **forms):
    return render(
        request,
        "meetings/meeting_detail.html",
        _detail_context(request, meeting, **forms),
        status=status,
    )


@login_required
@require_GET
def meeting_detail(request: HtmxHttpRequest, pk: int):
    meeting = get_or_404(selectors.meeting_get, user=request.user, pk=pk)
    if (
        request.htmx
        and request.htmx.target == "venue-tasks"
        and meeting.state != Meeting.State.DRAFT
    ):
        context = _venue_tasks(request, meeting, TaskFilterForm(request.GET or None, units=[]))
        return render(
            request, "meetings/meeting_detail.html#venue_tasks", {"meeting": meeting, **context}
        )
    return _render_detail(request, meeting)


@login_required
@require_GET
def notice_download(request: HttpRequest, pk: int):
    """The formal notice, served only to those who may see the meeting (never from MEDIA_URL),
    as the type detected from its content when it was uploaded (the stored name's extension was
    chosen from it), always as a download, and never sniffed into another type."""
    meeting = get_or_404(selectors.meeting_get, user=request.user, pk=pk)
    if not meeting.notice_document:
        raise Http404
    stored = meeting.notice_document.name or ""
    try:
        handle = meeting.notice_document.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=meeting.notice_filename or os.path.basename(stored),
        content_type=content_type_for(stored),
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _run_action(
    request: HttpRequest,
    meeting: Meeting,
    form,
    form_name: str,
    call: Callable[[dict], Any],
    success: str | Callable[[Any], str],
):
    """Validate the form, call one service, then redirect with a message or show the errors."""
    if not form.is_valid():
        return _render_detail(request, meeting, status=422, **{form_name: form})
    try:
        result = call(form.cleaned_data)
    except Meeting.DoesNotExist as exc:
        raise Http404 from exc
    except ApplicationError as exc:
        form.add_service_errors(exc)
        return _render_detail(request, meeting, status=exc.status_code, **{form_name: form})
    messages.success(request, success if isinstance(success, str) else success(result))
    return redirect("meetings:meeting_detail", pk=meeting.pk)


@login_required
@require_POST
def meeting_publish(request: HttpRequest, pk: int):
    meeting = get_or_404(selectors.meeting_get, user=request.user, pk=pk)
    _require_editor(request.user)

    def call(data):
        return services.meeting_publish(
            meeting, by=request.user, confirm_shortfalls=data["confirm_shortfalls"]
        )

    def success(result):
        _meeting, plan = result
        return _("会议已发布，共生成 %(n)s 项任务。") % {"n": len(plan.tasks)}

    return _run_action(request, meeting, PublishForm(request.POST), "publish_form", call, success)


@login_required
@require_POST
def meeting_reschedule(request: HttpRequest, pk: int):
    meeting = get_or_404(selectors.meeting_get, user=request.user, pk=pk)
    _require_editor(request.user)

    def call(data):
        return services.meeting_reschedule(
            meeting, by=request.user, starts_at=data["starts_at"], ends_at=data["ends_at"]
        )

    return _run_action(
        request,
        meeting,
        RescheduleForm(request.POST),
        "reschedule_form",
        call,
        _("会议已改期，相关人员将收到变更通知。"),
    )


@login_required
@require_POST
def meeting_cancel(request: HttpRequest, pk: int):
    meeting = get_or_404(selectors.meeting_get, user=request.user, pk=pk)
    _require_editor(request.user)

    def call(data):
        return services.meeting_cancel(meeting, by=request.user, reason=data["reason"])

    return _run_action(
        request,
        meeting,
        CancelForm(request.POST),
        "cancel_form",
        call,
        _("会议已取消，相关人员将收到取消通知。"),
    )

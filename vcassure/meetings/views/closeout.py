"""The end of a meeting: a coordination task's completion page, and the close page with what is
still open."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from vcassure.core.errors import ApplicationError
from vcassure.core.http import get_or_404
from vcassure.meetings import selectors, services
from vcassure.meetings.forms import CloseForm, CompleteForm
from vcassure.meetings.models import Meeting, SupportTask, TaskCompletion
from vcassure.meetings.permissions import can_manage_meetings
from vcassure.meetings.services.coordination import ROLLUP_ROLES
from vcassure.meetings.views import display


def _find(nodes: list[dict], pk: int) -> dict | None:
    for node in nodes:
        if node["task"].pk == pk:
            return node
        found = _find(node["children"], pk)
        if found is not None:
            return found
    return None


@login_required
def task_complete(request: HttpRequest, pk: int):
    """A department completes its coordination task; a tracking task shows its subtree's progress
    (it completes by itself)."""
    task = get_or_404(selectors.task_get, user=request.user, pk=pk)
    if task.kind != SupportTask.Kind.COORDINATION:
        raise Http404
    form = CompleteForm(request.POST or None, role=task.role)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.coordination_task_complete(task, by=request.user, **form.service_kwargs())
            except SupportTask.DoesNotExist as exc:
                raise Http404 from exc
            except ApplicationError as exc:
                form.add_service_errors(exc)
                status = exc.status_code
            else:
                messages.success(request, _("任务已完成。"))
                return redirect("meetings:task_complete", pk=task.pk)
        else:
            status = 422
    node = _find(
        display.decorate_tree(selectors.task_tree(task.meeting, user=request.user)), task.pk
    )
    return render(
        request,
        "meetings/task_complete.html",
        {
            "task": task,
            "meeting": task.meeting,
            "node": node,
            "form": form,
            "is_rollup": task.role in ROLLUP_ROLES,
            "is_open": task.state not in SupportTask.CLOSED_STATES,
            "completion": TaskCompletion.objects.filter(task=task)
            .select_related("completed_by")
            .first(),
        },
        status=status,
    )


@login_required
def meeting_close(request: HttpRequest, pk: int):
    meeting = get_or_404(selectors.meeting_get, user=request.user, pk=pk)
    can_close = can_manage_meetings(request.user) and selectors.meeting_can_change(
        user=request.user, meeting=meeting
    )
    form = CloseForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if not can_close:
            raise PermissionDenied(_("您只能查看该会议，不能关闭。"))
        if form.is_valid():
            try:
                services.meeting_close(
                    meeting,
                    by=request.user,
                    note=form.cleaned_data["note"],
                    force=form.cleaned_data["force"],
                )
            except Meeting.DoesNotExist as exc:
                raise Http404 from exc
            except ApplicationError as exc:
                form.add_error(None, exc.message)
                status = exc.status_code
            else:
                messages.success(request, _("会议已关闭。"))
                return redirect("reports:meeting_report", pk=meeting.pk)
        else:
            status = 422
    items = services.meeting_open_items(meeting)
    return render(
        request,
        "meetings/meeting_close.html",
        {"meeting": meeting, "items": items, "form": form, "can_close": can_close},
        status=status,
    )

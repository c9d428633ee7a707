import os
from collections import Counter
from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import FieldDoesNotExist, PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_GET, require_POST

from vcassure.core.errors import ApplicationError
from vcassure.core.pagination import int_or_none, paginate
from vcassure.core.uploads import content_type_for
from vcassure.meetings import selectors, services
from vcassure.meetings.dispatch import DispatchPlan
from vcassure.meetings.forms import (
    CancelForm,
    MeetingFilterForm,
    MeetingForm,
    PublishForm,
    RescheduleForm,
    TaskFilterForm,
    VenuePickerForm,
)
from vcassure.meetings.models import Meeting, MeetingEvent, SupportTask
from vcassure.meetings.permissions import can_manage_meetings
from vcassure.meetings.validation import owner_unit
from vcassure.orgs.models import OrgUnit
from vcassure.orgs.selectors import org_unit_get

CHANGEABLE_STATES = {Meeting.State.DRAFT, Meeting.State.PUBLISHED}
CANCELLABLE_STATES = {Meeting.State.DRAFT, Meeting.State.PUBLISHED, Meeting.State.IN_PROGRESS}


def _require_editor(user) -> None:
    if not can_manage_meetings(user):
        raise PermissionDenied(_("您的角色不能录入或发布会议。"))


def _meeting_or_404(request, pk: int) -> Meeting:
    try:
        return selectors.meeting_get(user=request.user, pk=pk)
    except Meeting.DoesNotExist as exc:
        raise Http404 from exc


def _state_list(counts: dict[str, int]) -> list[tuple[str, Any, int]]:
    return [
        (value, label, counts[value])
        for value, label in SupportTask.State.choices
        if counts.get(value)
    ]


def _decorate_tree(nodes: list[dict]) -> list[dict]:
    for node in nodes:
        node["states"] = _state_list(node["counts"])
        _decorate_tree(node["children"])
    return nodes


def _tree_units(nodes: list[dict]) -> list[OrgUnit]:
    units: dict[int, OrgUnit] = {}

    def walk(items):
        for node in items:
            units.setdefault(node["task"].org_unit_id, node["task"].org_unit)
            walk(node["children"])

    walk(nodes)
    return sorted(units.values(), key=lambda u: u.code)


def _plan_summary(plan: DispatchPlan) -> dict:
    roles = Counter(t.role for t in plan.tasks)
    assignments = Counter(t.assignment for t in plan.tasks)
    return {
        "total": len(plan.tasks),
        "venue_tasks": plan.venue_task_count,
        "coordination_tasks": len(plan.tasks) - plan.venue_task_count,
        "roles": [
            (label, roles[value]) for value, label in SupportTask.Role.choices if roles[value]
        ],
        "assignments": [
            (value, label, assignments[value])
            for value, label in SupportTask.Assignment.choices
            if assignments[value]
        ],
        "shortfalls": plan.shortfalls,
    }


def _local(iso: str | None) -> str:
    if not iso:
        return "—"
    try:
        return timezone.localtime(datetime.fromisoformat(iso)).strftime("%Y-%m-%d %H:%M")
    except ValueError:
        return iso


def _field_label(name: str) -> str:
    try:
        return str(getattr(Meeting._meta.get_field(name), "verbose_name", name))
    except FieldDoesNotExist:
        return name


def _event_summary(event: MeetingEvent) -> str:
    changes = event.changes or {}
    if event.kind == MeetingEvent.Kind.CREATED:
        return _("分会场 %(n)s 个") % {"n": changes.get("venues", 0)}
    if event.kind == MeetingEvent.Kind.UPDATED:
        fields = [_field_label(f) for f in changes.get("fields", [])]
        return (
            _("修改了：%(fields)s") % {"fields": pgettext("list separator", "、").join(fields)}
            if fields
            else ""
        )
    if event.kind == MeetingEvent.Kind.PUBLISHED:
        return _("生成 %(tasks)s 项任务，人员缺口 %(shortfalls)s 项") % {
            "tasks": changes.get("tasks", 0),
            "shortfalls": changes.get("shortfalls", 0),
        }
    if event.kind == MeetingEvent.Kind.RESCHEDULED:
        starts, ends = (
            changes.get("starts_at") or [None, None],
            changes.get("ends_at") or [None, None],
        )
        return _("时间由 %(old_start)s 至 %(old_end)s 改为 %(new_start)s 至 %(new_end)s") % {
            "old_start": _local(starts[0]),
            "old_end": _local(ends[0]),
            "new_start": _local(starts[1]),
            "new_end": _local(ends[1]),
        }
    if event.kind == MeetingEvent.Kind.CANCELLED:
        return _("原因：%(reason)s") % {"reason": changes.get("reason", "")}
    return ""


def _preview(selection: selectors.VenueSelection | None) -> dict:
    ids = selection.ids if selection else []
    return {
        "selection": selection,
        "preview_count": len(ids),
        "preview_rows": selectors.venue_preview(ids) if ids else [],
        "preview_more": max(0, len(ids) - selectors.PREVIEW_LIMIT),
        "preview_limit": selectors.PREVIEW_LIMIT,
    }


@login_required
@require_GET
def meeting_list(request):
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
def meeting_create(request):
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
                    % {"n": len(form.cleaned_data["venue_ids"])},
                )
                return redirect("meetings:meeting_detail", pk=meeting.pk)
        status = 422
    else:
        form = MeetingForm(user=request.user)
    return render(
        request,
        "meetings/meeting_form.html",
        {
            "form": form,
            "meeting": None,
            **_preview(form.selection if form.is_bound else None),
        },
        status=status,
    )


@login_required
def meeting_edit(request, pk: int):
    meeting = _meeting_or_404(request, pk)
    _require_editor(request.user)
    if not selectors.meeting_can_change(user=request.user, meeting=meeting):
        raise PermissionDenied(_("您只能查看该会议，不能修改。"))
    if meeting.state != Meeting.State.DRAFT:
        messages.error(request, _("只有草稿状态的会议可以编辑；已发布的会议请使用改期或取消。"))
        return redirect("meetings:meeting_detail", pk=meeting.pk)
    base_ids = selectors.meeting_venue_ids(meeting)
    status = 200
    if request.method == "POST":
        form = MeetingForm(
            request.POST, request.FILES, user=request.user, meeting=meeting, base_ids=base_ids
        )
        if form.is_valid():
            try:
                meeting = services.meeting_update(meeting, by=request.user, **form.service_kwargs())
            except Meeting.DoesNotExist as exc:
                raise Http404 from exc
            except ApplicationError as exc:
                form.add_service_errors(exc)
            else:
                messages.success(
                    request,
                    _("会议已更新，共 %(n)s 个分会场。")
                    % {"n": len(form.cleaned_data["venue_ids"])},
                )
                return redirect("meetings:meeting_detail", pk=meeting.pk)
        status = 422
        selection = form.selection
    else:
        form = MeetingForm(user=request.user, meeting=meeting, base_ids=base_ids)
        selection = selectors.VenueSelection(ids=base_ids)
    return render(
        request,
        "meetings/meeting_form.html",
        {
            "form": form,
            "meeting": meeting,
            "current_count": len(base_ids),
            **_preview(selection),
        },
        status=status,
    )


@login_required
@require_GET
def venue_picker(request):
    """HTMX: the count and the first rows of the venues a picker selects, before saving."""
    meeting, base_ids = None, None
    meeting_pk = int_or_none(request.GET.get("meeting"))
    if meeting_pk is not None:
        meeting = _meeting_or_404(request, meeting_pk)
        base_ids = selectors.meeting_venue_ids(meeting)
    form = VenuePickerForm(request.GET, user=request.user, base_ids=base_ids)
    form.is_valid()
    return render(
        request,
        "meetings/meeting_form.html#venue_preview",
        {
            "form": form,
            "meeting": meeting,
            "show_code_errors": True,
            **_preview(form.selection),
        },
    )


def _detail_context(request, meeting: Meeting, **forms) -> dict:
    user = request.user
    can_change = can_manage_meetings(user) and selectors.meeting_can_change(
        user=user, meeting=meeting
    )
    context = {
        "meeting": meeting,
        "can_change": can_change,
        "events": [
            (event, _event_summary(event)) for event in selectors.meeting_event_list(meeting)
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
                "plan": _plan_summary(services.meeting_plan(meeting)),
                "branch_count": branch.count(),
                "branch_rows": branch[: selectors.PREVIEW_LIMIT],
                "preview_limit": selectors.PREVIEW_LIMIT,
            }
        )
    else:
        tree = _decorate_tree(selectors.task_tree(meeting, user=user))
        task_filter = TaskFilterForm(request.GET or None, units=_tree_units(tree))
        context.update(
            {
                "tree": tree,
                "task_filter": task_filter,
                **_venue_tasks(request, meeting, task_filter),
            }
        )
    return context


def _venue_tasks(request, meeting: Meeting, task_filter: TaskFilterForm) -> dict:
    qs = selectors.task_list(
        user=request.user, meeting=meeting, kind=SupportTask.Kind.VENUE, **task_filter.filters()
    )
    return paginate(request, qs)


def _render_detail(request, meeting: Meeting, *, status: int = 200, **forms):
    return render(
        request,
        "meetings/meeting_detail.html",
        _detail_context(request, meeting, **forms),
        status=status,
    )


@login_required
@require_GET
def meeting_detail(request, pk: int):
    meeting = _meeting_or_404(request, pk)
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
def notice_download(request, pk: int):
    """The formal notice, served only to those who may see the meeting (never from MEDIA_URL),
    as the type detected from its content when it was uploaded (the stored name's extension was
    chosen from it), always as a download, and never sniffed into another type."""
    meeting = _meeting_or_404(request, pk)
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
    request,
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
def meeting_publish(request, pk: int):
    meeting = _meeting_or_404(request, pk)
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
def meeting_reschedule(request, pk: int):
    meeting = _meeting_or_404(request, pk)
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
def meeting_cancel(request, pk: int):
    meeting = _meeting_or_404(request, pk)
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


@login_required
@require_GET
def meeting_track(request, pk: int):
    """A customer department's view: the counts and the chain below one unit (default: its own)."""
    meeting = _meeting_or_404(request, pk)
    unit_pk = int_or_none(request.GET.get("org_unit"))
    if unit_pk is None:
        unit = owner_unit(request.user)
        if unit is None:
            raise Http404
    else:
        try:
            unit = org_unit_get(user=request.user, pk=unit_pk)
        except OrgUnit.DoesNotExist as exc:
            raise Http404 from exc
    status = selectors.meeting_status(meeting, user=request.user, parent=unit)
    top = owner_unit(request.user)
    return render(
        request,
        "meetings/meeting_track.html",
        {
            "meeting": meeting,
            "unit": unit,
            "up": unit.parent if unit.parent_id and top is not None and unit.pk != top.pk else None,
            "totals": _state_list(status["counts"]),
            "total": sum(status["counts"].values()),
            "units": [
                {
                    **row,
                    "level_label": OrgUnit.Level(row["level"]).label,
                    "states": _state_list(row["counts"]),
                    "total": sum(row["counts"].values()),
                }
                for row in status["units"]
            ],
            "overdue": [
                {**row, "state_label": SupportTask.State(row["state"]).label}
                for row in status["overdue"]
            ],
            "tree": _decorate_tree(
                selectors.task_tree_below(meeting, user=request.user, unit=unit)
            ),
        },
    )


@login_required
@require_GET
def my_tasks(request):
    task_filter = TaskFilterForm(request.GET or None, units=[])
    qs = selectors.task_list(user=request.user, mine=True, state=task_filter.filters()["state"])
    return render(
        request,
        "meetings/my_tasks.html",
        {**paginate(request, qs, per_page=20), "task_filter": task_filter},
    )

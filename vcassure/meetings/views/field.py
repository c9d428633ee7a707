"""The field pages of a venue task, phone first (C6, R7, R8, R10): the task card with deadlines and
who to call, check-in with an optional location, then the checklists step by step with photos.
Plain forms that work in DingTalk's and WeCom's in-app browsers without scripts; each write is one
service call, and a refused one re-renders the card with the service's message, nothing written."""

from datetime import datetime

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from vcassure.checklists import step_posts
from vcassure.checklists.models import ChecklistStep, StepResult
from vcassure.checklists.services import MAX_PHOTOS
from vcassure.core import clock
from vcassure.core.errors import ApplicationError
from vcassure.core.passes import login_or_pass, subject_pass
from vcassure.core.subjects import task_ref
from vcassure.core.timefmt import hhmm, month_day_hhmm
from vcassure.faults.models import Fault
from vcassure.meetings import selectors
from vcassure.meetings.models import SupportTask
from vcassure.meetings.permissions import can_do_field_work
from vcassure.meetings.selectors.field_work import FIELD_KINDS
from vcassure.meetings.services import check_in
from vcassure.meetings.services import field_work as field
from vcassure.notifications.services import acknowledgements_apply

DISPATCH_DESK_PHONE = "96311"
FIELD_WORK_REFUSED = gettext_lazy("只有任务的保障人员本人或本辖区调度员可以签到和记录检查。")
BEFORE_CHECK_IN = (
    SupportTask.State.PENDING,
    SupportTask.State.NOTIFIED,
    SupportTask.State.ACKNOWLEDGED,
)


def _task_subject(pk: int, **_kwargs) -> str:
    return task_ref(pk)


# The field pages open with a login, or without one through the assignee's pass for this task
# (granted by their personal acknowledgement link, see views/ack.py); no other page does.
task_pass_or_login = login_or_pass(_task_subject)


def _task_or_404(request: HttpRequest, pk: int) -> SupportTask:
    """The assignee, or someone whose subtree holds the task: who may see the card. Who may work
    it is check_field_access's rule (can_do_field_work). Through a pass: the pass's person's task."""
    held = subject_pass(request)
    try:
        if held is not None:
            return selectors.task_get_for_staff(staff_id=held.staff_id, pk=pk)
        return selectors.task_get(user=request.user, pk=pk)
    except SupportTask.DoesNotExist as exc:
        raise Http404 from exc


def _span(seconds: float) -> str:
    minutes = int(abs(seconds) // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    if days:
        return _("%(d)s 天 %(h)s 小时") % {"d": days, "h": hours}
    if hours:
        return _("%(h)s 小时 %(m)s 分钟") % {"h": hours, "m": mins}
    return _("%(m)s 分钟") % {"m": mins}


def _deadline(
    label: str, due: datetime | None, met_at: datetime | None, now: datetime
) -> dict | None:
    """One R10 deadline with its countdown: met (on time or late), still open, or missed."""
    if due is None:
        return None
    if met_at is not None:
        on_time = met_at <= due
        text = (_("已于 %(t)s 完成") if on_time else _("已于 %(t)s 完成（逾期）")) % {
            "t": hhmm(met_at)
        }
        return {"label": label, "due": due, "text": text, "tone": "ok" if on_time else "warn"}
    left = (due - now).total_seconds()
    if left >= 0:
        return {
            "label": label,
            "due": due,
            "text": _("还剩 %(span)s") % {"span": _span(left)},
            "tone": "warn" if left < 30 * 60 else "",
        }
    return {
        "label": label,
        "due": due,
        "text": _("已超时 %(span)s") % {"span": _span(left)},
        "tone": "bad",
    }


def _blocked_reason(task: SupportTask, step: ChecklistStep, rows: list[dict], now: datetime) -> str:
    """Why a step cannot be recorded now, in the same terms as the services (which still decide)."""
    if task.state in BEFORE_CHECK_IN:
        return _("请先到场签到。")
    if task.state not in check_in.WORKING_STATES:
        return _("任务状态为“%(s)s”，不能再记录检查。") % {"s": task.get_state_display()}
    ends_at = task.meeting.ends_at
    if step.phase == ChecklistStep.Phase.AFTER and now < ends_at:
        return _("会议结束（%(t)s）后才能进行此步骤。") % {"t": month_day_hhmm(ends_at)}
    if step.phase == ChecklistStep.Phase.BEFORE and now >= ends_at:
        return _("会议已结束，会前检查不能再记录。")
    missing = [
        str(row["step"].number)
        for row in rows
        if row["step"].number < step.number
        and not (
            step.phase == ChecklistStep.Phase.BEFORE
            and row["step"].phase == ChecklistStep.Phase.AFTER
        )
        and (row["latest"] is None or not row["latest"].counts_as_pass)
    ]
    if missing:
        return _("请先完成第 %(steps)s 步。") % {"steps": "、".join(missing)}
    return ""


def _card(
    request: HttpRequest, task: SupportTask, *, error: dict | None = None, status: int = 200
) -> HttpResponse:
    now = clock.now()
    card = selectors.task_field_card(task)
    # Who only follows the task (can_do_field_work) sees it without the buttons.
    held = subject_pass(request)
    can_work = (
        held.allows(task_ref(task.pk), staff_id=task.assignee_id)
        if held is not None
        else can_do_field_work(request.user, task)
    )
    for checklist in card["checklists"]:
        for row in checklist["steps"]:
            row["key"] = f"{checklist['template'].code}-{row['step'].number}"
            row["action"] = reverse(
                "meetings:task_step",
                args=[task.pk, checklist["template"].code, row["step"].number],
            )
            row["blocked"] = (
                _blocked_reason(task, row["step"], checklist["steps"], now)
                if can_work
                else FIELD_WORK_REFUSED
            )
    deadlines = [
        d
        for d in (
            _deadline(_("到场时限"), task.on_site_due_at, task.checked_in_at, now),
            _deadline(_("就绪时限"), task.ready_due_at, task.ready_at, now),
            _deadline(_("关机时限"), task.shutdown_due_at, task.done_at, now),
        )
        if d is not None
    ]
    starts_in = (task.meeting.starts_at - now).total_seconds()
    return render(
        request,
        "meetings/field_task.html",
        {
            "task": task,
            "meeting": task.meeting,
            "venue": task.venue or (task.fibre_route.venue if task.fibre_route else None),
            "fibre_route": task.fibre_route,
            "deadlines": deadlines,
            "starts_text": (_("距会议开始还有 %(span)s") % {"span": _span(starts_in)})
            if starts_in > 0
            else "",
            "is_venue_task": task.kind in FIELD_KINDS,
            "can_work": can_work,
            "by_link": held is not None,
            "field_work_refused": FIELD_WORK_REFUSED,
            "can_check_in": task.kind in FIELD_KINDS
            and task.checked_in_at is None
            and task.state not in (SupportTask.State.CANCELLED, SupportTask.State.DONE),
            "open_faults": [f for f in card["faults"] if f.is_active],
            "access_fault": next(
                (f for f in card["faults"] if f.is_active and f.source == Fault.Source.ACCESS),
                None,
            ),
            "dispatch_phone": DISPATCH_DESK_PHONE,
            "check_in_opens_at": check_in.check_in_opens_at(task),
            "now": now,
            "photo_slots": range(MAX_PHOTOS),
            "error": error,
            **card,
        },
        status=status,
    )


def _error(exc: ApplicationError, where: str, **values) -> dict:
    details = [str(e.get("message")) for e in exc.errors if e.get("message")]
    return {"message": exc.message, "details": details, "where": where, **values}


def _refused(request: HttpRequest, task: SupportTask, exc: PermissionDenied, where: str):
    """In scope without the role: the card again with the reason, 403, nothing written."""
    error: dict = {"message": str(exc) or FIELD_WORK_REFUSED, "details": [], "where": where}
    return _card(request, task, error=error, status=403)


@task_pass_or_login
@require_GET
def task_field(request: HttpRequest, pk: int) -> HttpResponse:
    task = _task_or_404(request, pk)
    # The person may come straight from acknowledging through their link: apply that answer now
    # rather than show the task as unanswered until the worker gets to it (a second or so).
    if task.state in (
        SupportTask.State.PENDING,
        SupportTask.State.NOTIFIED,
    ) and acknowledgements_apply(subjects=[task_ref(task.pk)]):
        task = _task_or_404(request, pk)
    return _card(request, task)


@task_pass_or_login
@require_POST
def task_check_in(request: HttpRequest, pk: int) -> HttpResponse:
    task = _task_or_404(request, pk)
    try:
        task = check_in.support_task_check_in(
            task,
            by=request.user,
            lat=request.POST.get("lat") or None,
            lng=request.POST.get("lng") or None,
            subject_pass=subject_pass(request),
        )
    except SupportTask.DoesNotExist as exc:
        raise Http404 from exc
    except PermissionDenied as exc:
        return _refused(request, task, exc, "check-in")
    except ApplicationError as exc:
        return _card(request, task, error=_error(exc, "check-in"), status=exc.status_code)
    messages.success(
        request,
        _("已签到，到场时间 %(t)s。") % {"t": hhmm(task.checked_in_at)},
    )
    return redirect(reverse("meetings:task_field", args=[task.pk]) + "#checklists")


@task_pass_or_login
@require_POST
def task_step_photo(request: HttpRequest, pk: int, template_code: str, number: int):
    """One photo following its step's answer (the phone's script sends each photo as its own
    request and retries it on a dropped link). JSON in, JSON out."""
    task = _task_or_404(request, pk)
    state_before = task.state

    def add(photo):
        return field.support_task_step_photo_add(
            task,
            by=request.user,
            number=number,
            photo=photo,
            template_code=template_code,
            subject_pass=subject_pass(request),
        )

    response = step_posts.photo_follows(request, add, str(FIELD_WORK_REFUSED))
    task.refresh_from_db(fields=["state"])
    if task.state == SupportTask.State.READY and state_before != SupportTask.State.READY:
        messages.success(request, _("会前检查全部通过，会场已就绪。"))
    return response


@task_pass_or_login
@require_POST
def task_report_access(request: HttpRequest, pk: int) -> HttpResponse:
    """One tap: I cannot get into the venue. The customer department is told at once."""
    task = _task_or_404(request, pk)
    try:
        fault = field.support_task_report_access(
            task,
            by=request.user,
            note=request.POST.get("note", ""),
            subject_pass=subject_pass(request),
        )
    except PermissionDenied as exc:
        return _refused(request, task, exc, "access")
    except ApplicationError as exc:
        return _card(request, task, error=_error(exc, "access"), status=exc.status_code)
    messages.success(
        request,
        _("已报告无法进入会场，%(d)s 将协调处理。")
        % {"d": fault.assigned_department.name if fault.assigned_department else _("调度台")},
    )
    return redirect(reverse("meetings:task_field", args=[task.pk]) + "#access")


@task_pass_or_login
@require_POST
def task_step(request: HttpRequest, pk: int, template_code: str, number: int) -> HttpResponse:
    task = _task_or_404(request, pk)
    result = request.POST.get("result", "")
    note = request.POST.get("note", "")
    where = f"{template_code}-{number}"
    state_before = task.state
    as_json = step_posts.wants_json(request)
    try:
        record = field.support_task_record_step(
            task,
            by=request.user,
            number=number,
            result=result,
            note=note,
            photos=request.FILES.getlist("photos"),
            template_code=template_code,
            subject_pass=subject_pass(request),
            photos_to_follow=step_posts.photos_to_follow(request),
            reading=request.POST.get("reading"),
        )
    except SupportTask.DoesNotExist as exc:
        raise Http404 from exc
    except PermissionDenied as exc:
        if as_json:
            return step_posts.json_refusal(exc, str(FIELD_WORK_REFUSED))
        return _refused(request, task, exc, where)
    except ApplicationError as exc:
        if as_json:
            return step_posts.json_refusal(exc)
        return _card(
            request,
            task,
            error=_error(
                exc, where, note=note, result=result, reading=request.POST.get("reading", "")
            ),
            status=exc.status_code,
        )
    title = {"n": number, "title": record.step.title}
    if record.result == StepResult.Result.FAIL:
        fault = (
            Fault.objects.filter(step_result=record).select_related("assigned_department").first()
        )
        department = (
            fault.assigned_department.name if fault and fault.assigned_department else _("调度台")
        )
        messages.error(
            request,
            _("第 %(n)s 步“%(title)s”不通过，已登记故障并派给%(department)s。")
            % {**title, "department": department},
        )
    else:
        messages.success(request, _("第 %(n)s 步“%(title)s”已记录为通过。") % title)
        task.refresh_from_db(fields=["state"])
        if task.state == SupportTask.State.READY and state_before != SupportTask.State.READY:
            messages.success(request, _("会前检查全部通过，会场已就绪。"))
    card = reverse("meetings:task_field", args=[task.pk]) + f"#step-{where}"
    if as_json:  # the phone's script: the answer is saved, its photos follow one by one
        return step_posts.answer_saved(
            record,
            photos_url=reverse("meetings:task_step_photo", args=[task.pk, template_code, number]),
            next_url=card,
        )
    return redirect(card)

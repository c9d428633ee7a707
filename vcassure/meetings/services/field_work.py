"""Field work on a venue task (C6, R7, R8, R10) after check-in (check_in.py): record checklist
steps with evidence, open a fault on a failed step, return to the task's place when the fault is
restored, report that the venue cannot be entered."""

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from vcassure.accounts.types import UserLike
from vcassure.checklists.models import ChecklistStep, RunStep, StepResult
from vcassure.checklists.services import (
    checklist_run_start,
    run_progress,
    step_photo_add,
    step_record,
)
from vcassure.core import clock
from vcassure.core.errors import ConflictError, InvalidInputError
from vcassure.core.passes import SubjectPass
from vcassure.core.subjects import task_ref
from vcassure.faults.models import Fault
from vcassure.faults.selectors import fault_is_open_about
from vcassure.faults.services import fault_open, severity_for_meeting
from vcassure.meetings.models import SupportTask
from vcassure.meetings.selectors.field_work import (
    progress_kind,
    progress_template,
    template_for_code,
)
from vcassure.meetings.services.check_in import WORKING_STATES, acting_for, check_field_access
from vcassure.meetings.services.tasks import TaskMove, support_tasks_move


@transaction.atomic
def support_task_record_step(
    task: SupportTask,
    *,
    by: UserLike,
    number: int,
    result: str,
    note: str = "",
    photos: list[UploadedFile] | None = None,
    template_code: str = "",
    subject_pass: SubjectPass | None = None,
    photos_to_follow: int = 0,
    reading=None,
) -> StepResult:
    """Record one checklist step. Steps 1–3 (before) until the meeting ends; step 4 (after) only
    once it has ended. All "before" steps passed → ready; everything passed → done; a failure
    opens a fault routed to the city's network operations and makes the task faulty. With
    `subject_pass` (no login) it is recorded as the assignee's own, the moves noted "link"."""
    check_field_access(task, by, subject_pass)
    by, via = acting_for(task, by, subject_pass)
    task = (
        SupportTask.objects.select_for_update(of=("self",))
        .select_related("meeting", "venue", "org_unit", "fibre_route__venue")
        .get(pk=task.pk)
    )
    if task.state not in WORKING_STATES:
        raise ConflictError(
            _("请先到场签到，再进行检查。")
            if task.state in ("pending", "notified", "acknowledged")
            else _("任务当前状态为“%(s)s”，不能记录检查。") % {"s": task.get_state_display()},
            code="not_on_site",
        )
    template_code = template_code or progress_template(task)  # default: the task's own checklist
    template = template_for_code(task, template_code)
    if template is None:
        raise InvalidInputError(
            _("该任务没有这张检查表。"), errors=[{"field": "template", "message": template_code}]
        )
    run = checklist_run_start(
        template=template,
        subject=task_ref(task.pk),
        org_unit=task.org_unit,
        venue=task.venue,
        by=by,
    )
    step = RunStep.objects.filter(run=run, number=number).first()
    now = clock.now()
    if step is not None and step.phase == ChecklistStep.Phase.AFTER and now < task.meeting.ends_at:
        raise ConflictError(_("第 %(n)s 步须在会议结束后进行。") % {"n": number}, code="too_early")
    if (
        step is not None
        and step.phase == ChecklistStep.Phase.BEFORE
        and now >= task.meeting.ends_at
    ):
        raise ConflictError(_("会议已结束，会前检查不能再记录。"), code="too_late")
    record = step_record(
        run,
        number=number,
        result=result,
        note=note,
        photos=photos,
        reading=reading,
        by=by,
        photos_to_follow=photos_to_follow,
    )
    if record.result == StepResult.Result.FAIL:
        route = task.fibre_route
        venue = task.venue or (route.venue if route is not None else None)
        where = route.name if route is not None else (venue.name if venue else "")
        fault_open(
            title=_("%(venue)s：%(step)s 不通过") % {"venue": where, "step": record.step.title},
            source=Fault.Source.CHECKLIST,
            org_unit=venue.org_unit if venue is not None else task.org_unit,
            venue=venue,
            subject=task_ref(task.pk),
            step_result=record,
            description=record.note,
            severity=severity_for_meeting(task.meeting.starts_at, task.meeting.ends_at, now),
            by=by,
        )
        if task.state != SupportTask.State.FAULTY:
            move = TaskMove(
                task=task,
                to=SupportTask.State.FAULTY,
                at=now,
                by=by,
                note=f"{record.step.title} {via}".strip(),
            )
            support_tasks_move([move])
        return record
    if template.kind == progress_kind(task):
        _advance(task, run, now=now, by=by, via=via)
    return record


def _advance(task: SupportTask, run, *, now, by, via: str) -> None:
    """Every "before" step passed → ready; everything passed → done."""
    progress = run_progress(run)
    if progress["all_passed"] and task.state in ("ready", "in_meeting", "restored"):
        support_tasks_move(
            [TaskMove(task=task, to=SupportTask.State.DONE, at=now, by=by, note=via)]
        )
    elif progress["before_passed"] and task.state in ("on_site", "restored"):
        support_tasks_move(
            [TaskMove(task=task, to=SupportTask.State.READY, at=now, by=by, note=via)]
        )


@transaction.atomic
def support_task_step_photo_add(
    task: SupportTask,
    *,
    by: UserLike,
    number: int,
    photo: UploadedFile,
    template_code: str = "",
    subject_pass: SubjectPass | None = None,
) -> StepResult:
    """A photo that follows its step's answer, as its own request (retried by the phone over a
    weak link): attached to the step's latest record; when it was the last one awaited, the task
    moves on as if the step had just been recorded with it."""
    check_field_access(task, by, subject_pass)
    by, via = acting_for(task, by, subject_pass)
    task = (
        SupportTask.objects.select_for_update(of=("self",))
        .select_related("meeting", "venue", "org_unit", "fibre_route__venue")
        .get(pk=task.pk)
    )
    template_code = template_code or progress_template(task)
    template = template_for_code(task, template_code)
    run = (
        checklist_run_start(
            template=template,
            subject=task_ref(task.pk),
            org_unit=task.org_unit,
            venue=task.venue,
            by=by,
        )
        if template is not None and task.state in WORKING_STATES
        else None
    )
    if run is None:
        raise ConflictError(_("请先提交此步骤的检查结果，再上传照片。"), code="no_answer")
    record, last_awaited = step_photo_add(run, number=number, photo=photo, by=by)
    if last_awaited and template is not None and template.kind == progress_kind(task):
        _advance(task, run, now=clock.now(), by=by, via=via)
    return record


def support_task_fault_restored(
    task: SupportTask, *, by: "UserLike | None" = None, at=None
) -> None:
    """The fault is restored: faulty → restored, then back to ready or in meeting if that is where
    the task was; otherwise the person finishes the checks from where they stopped."""
    with transaction.atomic():
        task = SupportTask.objects.select_for_update(of=("self",)).get(pk=task.pk)
        if task.state != SupportTask.State.FAULTY:
            return
        now = at or clock.now()
        if fault_is_open_about(task_ref(task.pk)):
            return  # another fault of the same task is still open
        back = task.state_before_fault
        moves = [TaskMove(task=task, to=SupportTask.State.RESTORED, at=now, by=by)]
        if back in (SupportTask.State.READY, SupportTask.State.IN_MEETING):
            moves.append(TaskMove(task=task, to=back, at=now, by=by, note="restored"))
        support_tasks_move(moves)


def support_task_fault_reopened(
    task: SupportTask, *, by: "UserLike | None" = None, at=None, note: str = ""
) -> None:
    """A restored fault of the task is open again: the task goes back to faulty (where it still
    works), remembering where it was."""
    task = SupportTask.objects.select_for_update(of=("self",)).get(pk=task.pk)
    if task.state not in WORKING_STATES or task.state == SupportTask.State.FAULTY:
        return
    support_tasks_move(
        [TaskMove(task=task, to=SupportTask.State.FAULTY, at=at or clock.now(), by=by, note=note)]
    )


def support_task_report_access(
    task: SupportTask,
    *,
    by: UserLike,
    note: str = "",
    subject_pass: SubjectPass | None = None,
):
    """The engineer cannot get into the venue (locked room, no escort): one tap opens a fault of
    source `access`, routed to the customer department that the seed makes responsible for venue
    access, with the severity's deadlines and escalation. One open report per task. Through the
    assignee's link pass (no login) it is recorded as theirs."""
    check_field_access(task, by, subject_pass)
    by, _via = acting_for(task, by, subject_pass)
    task = (
        SupportTask.objects.select_for_update(of=("self",))
        .select_related("meeting", "venue", "org_unit")
        .get(pk=task.pk)
    )
    if task.kind != SupportTask.Kind.VENUE or task.venue is None:
        raise ConflictError(_("协调任务没有会场，无需报告进场受阻。"), code="not_a_venue_task")
    if task.state in (SupportTask.State.CANCELLED, SupportTask.State.DONE):
        raise ConflictError(
            _("任务状态为“%(s)s”，不能再报告。") % {"s": task.get_state_display()}, code="closed"
        )
    if Fault.objects.filter(
        subject=task_ref(task.pk), source=Fault.Source.ACCESS, state__in=Fault.ACTIVE_STATES
    ).exists():
        raise ConflictError(_("已报告无法进入会场，客户部正在协调。"), code="already_reported")
    now = clock.now()
    return fault_open(
        title=_("%(venue)s：无法进入会场") % {"venue": task.venue.name},
        source=Fault.Source.ACCESS,
        org_unit=task.org_unit,
        venue=task.venue,
        subject=task_ref(task.pk),
        description=(note or "").strip()[:1000],
        severity=severity_for_meeting(task.meeting.starts_at, task.meeting.ends_at, now),
        by=by,
    )

"""Field work on a venue task (C6, R7, R8, R10): check in, record checklist steps with evidence,
open a fault on a failed step, return to the task's place when the fault is restored."""

from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from vcassure.accounts.types import UserLike
from vcassure.checklists.models import ChecklistStep, ChecklistTemplate, RunStep, StepResult
from vcassure.checklists.services import checklist_run_start, run_progress, step_record
from vcassure.core import clock
from vcassure.core.errors import ConflictError, InvalidInputError
from vcassure.core.services import audit_record
from vcassure.core.subjects import task_ref
from vcassure.faults.models import Fault
from vcassure.faults.selectors import fault_is_open_about
from vcassure.faults.services import fault_open
from vcassure.meetings.models import Meeting, SupportTask
from vcassure.meetings.permissions import can_do_field_work
from vcassure.meetings.selectors.field_work import (
    VENUE_TEMPLATE,
    template_for_code,
    templates_for,
)
from vcassure.meetings.services.tasks import TaskMove, support_tasks_move

WORKING_STATES = {"on_site", "ready", "in_meeting", "faulty", "restored"}


def check_field_access(task: SupportTask, user: UserLike) -> None:
    """Field work (check-in, checklist steps), pages and API: the assignee, or someone who manages
    meetings in the task's scope acting on the assignee's behalf, which is audited as such. Out of
    scope looks like missing (DoesNotExist: 404); in scope without the role is refused (403)."""
    staff = getattr(user, "staff_profile", None)
    if staff is not None and task.assignee_id == staff.pk:
        return
    if not SupportTask.objects.visible_to(user).filter(pk=task.pk).exists():
        raise SupportTask.DoesNotExist
    if not can_do_field_work(user, task):
        raise PermissionDenied(_("只有任务的保障人员本人或本辖区调度员可以签到和记录检查。"))
    assignee = task.assignee
    audit_record(
        actor=user,
        action="task.field_on_behalf",
        obj=task,
        changes={
            "assignee_id": task.assignee_id,
            "assignee": assignee.name if assignee else "",
            "state": task.state,
        },
    )


def _coordinate(value, low: int, high: int, field: str) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value)).quantize(Decimal("0.000001"))
    except (InvalidOperation, ValueError) as exc:
        raise InvalidInputError(
            _("位置格式不正确。"), errors=[{"field": field, "message": _("应为数字。")}]
        ) from exc
    if not low <= number <= high:
        raise InvalidInputError(
            _("位置超出范围。"), errors=[{"field": field, "message": _("坐标超出范围。")}]
        )
    return number


@transaction.atomic
def support_task_check_in(task: SupportTask, *, by: UserLike, lat=None, lng=None) -> SupportTask:
    """On site (R10: by T−60, T−120 for important meetings). Checking in also acknowledges a task
    whose notice was not answered yet."""
    check_field_access(task, by)
    task = (
        SupportTask.objects.select_for_update(of=("self",))
        .select_related("meeting")
        .get(pk=task.pk)
    )
    if task.kind != SupportTask.Kind.VENUE:
        raise ConflictError(_("协调任务无需到场签到。"), code="not_a_venue_task")
    if task.meeting.state in (Meeting.State.CANCELLED, Meeting.State.CLOSED, Meeting.State.ENDED):
        raise ConflictError(_("会议已结束或已取消，不能签到。"), code="meeting_over")
    if task.checked_in_at is not None:
        return task  # idempotent: the first check-in counts
    lat_value, lng_value = _coordinate(lat, -90, 90, "lat"), _coordinate(lng, -180, 180, "lng")
    now = clock.now()
    moves = [TaskMove(task=task, to=SupportTask.State.ON_SITE, at=now, by=by)]
    if task.state in (SupportTask.State.PENDING, SupportTask.State.NOTIFIED):
        moves.insert(
            0,
            TaskMove(task=task, to=SupportTask.State.ACKNOWLEDGED, at=now, by=by, note="check-in"),
        )
    support_tasks_move(moves)
    task.checked_in_at, task.check_in_lat, task.check_in_lng = now, lat_value, lng_value
    task.save(update_fields=["checked_in_at", "check_in_lat", "check_in_lng", "updated_at"])
    for template in templates_for(task):
        checklist_run_start(
            template=template,
            subject=task_ref(task.pk),
            org_unit=task.org_unit,
            venue=task.venue,
            by=by,
        )
    return task


@transaction.atomic
def support_task_record_step(
    task: SupportTask,
    *,
    by: UserLike,
    number: int,
    result: str,
    note: str = "",
    photos: list[UploadedFile] | None = None,
    template_code: str = VENUE_TEMPLATE,
    reading=None,
) -> StepResult:
    """Record one checklist step. Steps 1–3 (before) until the meeting ends; step 4 (after) only
    once it has ended. All "before" steps passed → ready; everything passed → done; a failure
    opens a fault routed to the city's network operations and makes the task faulty."""
    check_field_access(task, by)
    task = (
        SupportTask.objects.select_for_update(of=("self",))
        .select_related("meeting", "venue", "org_unit")
        .get(pk=task.pk)
    )
    if task.state not in WORKING_STATES:
        raise ConflictError(
            _("请先到场签到，再进行检查。")
            if task.state in ("pending", "notified", "acknowledged")
            else _("任务当前状态为“%(s)s”，不能记录检查。") % {"s": task.get_state_display()},
            code="not_on_site",
        )
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
        run, number=number, result=result, note=note, photos=photos, reading=reading, by=by
    )
    if record.result == StepResult.Result.FAIL:
        fault_open(
            title=_("%(venue)s：%(step)s 不通过")
            % {"venue": task.venue.name if task.venue else "", "step": record.step.title},
            source=Fault.Source.CHECKLIST,
            org_unit=task.org_unit,
            venue=task.venue,
            subject=task_ref(task.pk),
            step_result=record,
            description=record.note,
            by=by,
        )
        if task.state != SupportTask.State.FAULTY:
            move = TaskMove(
                task=task, to=SupportTask.State.FAULTY, at=now, by=by, note=record.step.title
            )
            support_tasks_move([move])
        return record
    if template.kind != ChecklistTemplate.Kind.VENUE:
        return record
    progress = run_progress(run)
    if progress["all_passed"] and task.state in ("ready", "in_meeting", "restored"):
        support_tasks_move([TaskMove(task=task, to=SupportTask.State.DONE, at=now, by=by)])
    elif progress["before_passed"] and task.state in ("on_site", "restored"):
        support_tasks_move([TaskMove(task=task, to=SupportTask.State.READY, at=now, by=by)])
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

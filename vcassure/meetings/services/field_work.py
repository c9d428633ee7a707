"""Field work on a venue task (C6, R7, R8, R10): check in, record checklist steps with evidence,
open a fault on a failed step, return to the task's place when the fault is restored."""

import math
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import PermissionDenied
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
from vcassure.core.services import audit_record
from vcassure.core.subjects import task_ref
from vcassure.core.timefmt import month_day_hhmm
from vcassure.faults.models import Fault
from vcassure.faults.selectors import fault_is_open_about
from vcassure.faults.services import fault_open, severity_for_meeting
from vcassure.meetings.models import Meeting, SupportTask
from vcassure.meetings.permissions import can_do_field_work
from vcassure.meetings.selectors.field_work import (
    FIELD_KINDS,
    progress_kind,
    progress_template,
    template_for_code,
    templates_for,
)
from vcassure.meetings.services.tasks import TaskMove, support_tasks_move

WORKING_STATES = {"on_site", "ready", "in_meeting", "faulty", "restored"}


def check_field_access(
    task: SupportTask, user: UserLike, subject_pass: SubjectPass | None = None
) -> None:
    """Field work (check-in, checklist steps), pages and API: the assignee, or someone who manages
    meetings in the task's scope acting on the assignee's behalf, which is audited as such. Out of
    scope looks like missing (DoesNotExist: 404); in scope without the role is refused (403).
    Without a login, the assignee's pass for this very task (granted by their personal link) is
    enough; the action is audited as done by the person through their link."""
    if subject_pass is not None and not user.is_authenticated:
        if not subject_pass.allows(task_ref(task.pk), staff_id=task.assignee_id):
            raise SupportTask.DoesNotExist
        audit_record(
            actor=user, action="task.field_by_link", obj=task, changes=subject_pass.audit()
        )
        return
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


def _acting(
    task: SupportTask, by: UserLike, subject_pass: SubjectPass | None
) -> tuple[UserLike, str]:
    """Who the records name and how they came: through a pass, the assignee's own login user when
    they have one (else nobody) and "link"; otherwise the caller as is."""
    if subject_pass is None or by.is_authenticated:
        return by, ""
    user = getattr(task.assignee, "user", None) if task.assignee_id else None
    return (user if user is not None and user.is_active else by), subject_pass.via


def check_in_opens_at(task: SupportTask) -> datetime:
    """When check-in opens: CHECK_IN_OPENS_HOURS_BEFORE_DEADLINE before the on-site deadline (or
    before the meeting, for a task without one)."""
    anchor = task.on_site_due_at or task.meeting.starts_at
    return anchor - timedelta(hours=settings.CHECK_IN_OPENS_HOURS_BEFORE_DEADLINE)


EARTH_RADIUS_M = 6_371_000


def distance_m(lat1, lng1, lat2, lng2) -> int:
    """Great-circle distance in metres (haversine): plenty for "more than 1 km away"."""
    p1, p2 = math.radians(float(lat1)), math.radians(float(lat2))
    dp, dl = p2 - p1, math.radians(float(lng2) - float(lng1))
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return round(2 * EARTH_RADIUS_M * math.asin(math.sqrt(a)))


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
def support_task_check_in(
    task: SupportTask,
    *,
    by: UserLike,
    lat=None,
    lng=None,
    subject_pass: SubjectPass | None = None,
) -> SupportTask:
    """On site (R10: by T−60, T−120 for important meetings). Checking in also acknowledges a task
    whose notice was not answered yet. With `subject_pass` (no login) the moves are the
    assignee's own, noted "link"."""
    check_field_access(task, by, subject_pass)
    by, via = _acting(task, by, subject_pass)
    task = (
        SupportTask.objects.select_for_update(of=("self",))
        .select_related("meeting", "venue")
        .get(pk=task.pk)
    )
    if task.kind not in FIELD_KINDS:
        raise ConflictError(_("协调任务无需到场签到。"), code="not_a_venue_task")
    if task.meeting.state in (Meeting.State.CANCELLED, Meeting.State.CLOSED, Meeting.State.ENDED):
        raise ConflictError(_("会议已结束或已取消，不能签到。"), code="meeting_over")
    if task.checked_in_at is not None:
        return task  # idempotent: the first check-in counts
    lat_value, lng_value = _coordinate(lat, -90, 90, "lat"), _coordinate(lng, -180, 180, "lng")
    now = clock.now()
    opens_at = check_in_opens_at(task)
    if now < opens_at:
        raise ConflictError(
            _("还未到签到时间：请在 %(t)s 之后到场签到（到场时限 %(due)s）。")
            % {
                "t": month_day_hhmm(opens_at),
                "due": month_day_hhmm(task.on_site_due_at or task.meeting.starts_at),
            },
            code="check_in_too_early",
        )
    venue = task.venue
    distance = (
        distance_m(lat_value, lng_value, venue.latitude, venue.longitude)
        if lat_value is not None
        and lng_value is not None
        and venue is not None
        and venue.latitude is not None
        and venue.longitude is not None
        else None
    )
    moves = [TaskMove(task=task, to=SupportTask.State.ON_SITE, at=now, by=by, note=via)]
    if task.state in (SupportTask.State.PENDING, SupportTask.State.NOTIFIED):
        moves.insert(
            0,
            TaskMove(
                task=task,
                to=SupportTask.State.ACKNOWLEDGED,
                at=now,
                by=by,
                note=f"check-in {via}".strip(),
            ),
        )
    support_tasks_move(moves)
    task.checked_in_at, task.check_in_lat, task.check_in_lng = now, lat_value, lng_value
    task.check_in_distance_m = distance
    task.save(
        update_fields=[
            "checked_in_at",
            "check_in_lat",
            "check_in_lng",
            "check_in_distance_m",
            "updated_at",
        ]
    )
    if task.check_in_far:
        audit_record(
            actor=by,
            action="task.check_in_far",
            obj=task,
            changes={"distance_m": distance, "limit_m": settings.CHECK_IN_FAR_METRES},
        )
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
    by, via = _acting(task, by, subject_pass)
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
    by, via = _acting(task, by, subject_pass)
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
    by, _via = _acting(task, by, subject_pass)
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

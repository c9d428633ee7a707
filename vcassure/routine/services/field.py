"""An inspection done on the phone: start it (the plan's checklist frozen onto a run), record its
steps; a failed step opens a minor fault; every step passed makes it done."""

from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from vcassure.accounts.types import UserLike
from vcassure.checklists.models import StepResult
from vcassure.checklists.services import (
    checklist_run_start,
    run_progress,
    step_photo_add,
    step_record,
)
from vcassure.core import clock
from vcassure.core.errors import ConflictError
from vcassure.core.services import audit_record
from vcassure.core.subjects import subject_ref
from vcassure.faults.models import Fault
from vcassure.faults.services import fault_open
from vcassure.routine.models import Inspection
from vcassure.routine.permissions import can_do_inspection


def inspection_subject(inspection: Inspection) -> str:
    return subject_ref("inspection", inspection.pk)


def check_inspection_access(inspection: Inspection, user: UserLike) -> None:
    """The assignee, or a manager in scope acting on their behalf (audited); else 403 (the
    caller fetched the inspection through inspection_get, so out of scope was already a 404)."""
    if not can_do_inspection(user, inspection):
        raise PermissionDenied(_("只有巡检人本人或本辖区调度员可以记录巡检。"))
    staff = getattr(user, "staff_profile", None)
    if staff is None or inspection.assignee_id != staff.pk:
        audit_record(
            actor=user,
            action="inspection.on_behalf",
            obj=inspection,
            changes={"assignee_id": inspection.assignee_id},
        )


@transaction.atomic
def inspection_start(inspection: Inspection, *, by: UserLike) -> Inspection:
    """Start (idempotent): the run of the plan's template is made now, its steps frozen."""
    check_inspection_access(inspection, by)
    inspection = (
        Inspection.objects.select_for_update(of=("self",))
        .select_related("plan__checklist_template", "venue", "org_unit")
        .get(pk=inspection.pk)
    )
    if inspection.state == Inspection.State.CANCELLED:
        raise ConflictError(_("该巡检已取消。"), code="cancelled")
    if inspection.run_id is None:
        run = checklist_run_start(
            template=inspection.plan.checklist_template,
            subject=inspection_subject(inspection),
            org_unit=inspection.org_unit,
            venue=inspection.venue,
            by=by,
        )
        inspection.run = run
        inspection.started_at = clock.now()
        if inspection.state == Inspection.State.PENDING:
            inspection.state = Inspection.State.IN_PROGRESS
        inspection.save(update_fields=["run", "started_at", "state", "updated_at"])
    return inspection


@transaction.atomic
def inspection_record_step(
    inspection: Inspection,
    *,
    by: UserLike,
    number: int,
    result: str,
    note: str = "",
    reading=None,
    photos: list[UploadedFile] | None = None,
    photos_to_follow: int = 0,
) -> StepResult:
    """Record one step of the inspection's checklist (started on the first step if need be).
    `photos_to_follow`: photos the phone sends after the answer (inspection_step_photo_add); a
    pass counts, and can complete the inspection, once they have arrived."""
    inspection = inspection_start(inspection, by=by)
    if inspection.state == Inspection.State.DONE:
        raise ConflictError(_("该巡检已完成。"), code="done")
    assert inspection.run is not None
    record = step_record(
        inspection.run,
        number=number,
        result=result,
        note=note,
        reading=reading,
        photos=photos,
        by=by,
        photos_to_follow=photos_to_follow,
    )
    now = clock.now()
    if record.result == StepResult.Result.FAIL:
        fault_open(
            title=_("%(venue)s 巡检：%(step)s 不通过")
            % {"venue": inspection.venue.name, "step": record.step.title},
            source=Fault.Source.INSPECTION,
            org_unit=inspection.org_unit,
            venue=inspection.venue,
            subject=inspection_subject(inspection),
            step_result=record,
            description=record.note,
            severity=Fault.Severity.MINOR,
            by=by,
        )
        inspection.state = Inspection.State.FAULTY
        inspection.save(update_fields=["state", "updated_at"])
        return record
    _complete_if_all_passed(inspection, now=now)
    return record


def _complete_if_all_passed(inspection: Inspection, *, now) -> None:
    assert inspection.run is not None
    if run_progress(inspection.run)["all_passed"]:
        inspection.state, inspection.completed_at = Inspection.State.DONE, now
        inspection.save(update_fields=["state", "completed_at", "updated_at"])


@transaction.atomic
def inspection_step_photo_add(
    inspection: Inspection, *, by: UserLike, number: int, photo: UploadedFile
) -> StepResult:
    """A photo that follows its step's answer, as its own request (retried by the phone over a
    weak link); when it was the last one awaited and every step has now passed, the inspection
    is done."""
    inspection = inspection_start(inspection, by=by)
    if inspection.state in (Inspection.State.DONE, Inspection.State.CANCELLED):
        raise ConflictError(_("巡检已结束。"), code="done")
    assert inspection.run is not None
    record, last_awaited = step_photo_add(inspection.run, number=number, photo=photo, by=by)
    if last_awaited:
        _complete_if_all_passed(inspection, now=clock.now())
    return record

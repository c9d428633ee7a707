"""Reads for the field pages: a task's card with its checklists, photos and faults."""

from collections import defaultdict

from vcassure.checklists.models import ChecklistTemplate
from vcassure.checklists.selectors import templates_applying
from vcassure.core.subjects import task_ref
from vcassure.meetings.models import SupportTask

VENUE_TEMPLATE = "venue-r7"
FIBRE_TEMPLATE = "fibre-r8"


def templates_for(task: SupportTask) -> list[ChecklistTemplate]:
    """The templates that apply to a venue task: by default R7 for every meeting and the R8 fibre
    patrol for important and special ones; an administrator's template for the meeting's system
    or importance replaces the default of its kind. A template already started on the task (its
    run) stays, even if the administrator has changed what applies since."""
    applying = templates_applying(
        applies_to=ChecklistTemplate.AppliesTo.MEETING,
        system_id=task.meeting.system_id,
        importance=task.meeting.importance,
    )
    started = list(
        ChecklistTemplate.objects.filter(runs__subject=task_ref(task.pk)).order_by("runs__id")
    )
    if not started:
        return applying
    kinds = {t.kind for t in started}
    return started + [t for t in applying if t.kind not in kinds]


def template_for_code(task: SupportTask, code: str) -> ChecklistTemplate | None:
    """The task's template by code; the R7 code also names whichever venue-kind template applies
    (clients written for R7 keep working when an administrator replaces it)."""
    templates = templates_for(task)
    found = next((t for t in templates if t.code == code), None)
    if found is None and code == VENUE_TEMPLATE:
        found = next((t for t in templates if t.kind == ChecklistTemplate.Kind.VENUE), None)
    return found


def task_field_card(task: SupportTask) -> dict:
    """The task card of a field page (the caller has checked access: check_field_access or
    task_get): each checklist with every step's latest result and photos, the faults opened for
    the task (a failed step points to its own), and the city network operations department to
    call. Six queries whatever the number of steps and photos."""
    from vcassure.checklists.models import ChecklistRun, ChecklistStep, RunStep, StepResult
    from vcassure.faults.selectors import fault_list_for_subject
    from vcassure.faults.services import responsible_department

    subject = task_ref(task.pk)
    templates = templates_for(task) if task.kind == SupportTask.Kind.VENUE else []
    steps_by_template: dict[int, list] = defaultdict(list)
    for step in ChecklistStep.objects.filter(template__in=templates).order_by(
        "template_id", "number"
    ):
        steps_by_template[step.template_id].append(step)
    runs = {
        run.template_id: run
        for run in ChecklistRun.objects.filter(subject=subject, template__in=templates)
    }
    # A started run shows its frozen steps, not the template's current ones.
    frozen: dict[int, list] = defaultdict(list)
    for run_step in RunStep.objects.filter(run__in=list(runs.values())).order_by(
        "run_id", "number"
    ):
        frozen[run_step.run_id].append(run_step)
    for template_id, run in runs.items():
        steps_by_template[template_id] = frozen[run.pk]
    template_of_run = {run.pk: template_id for template_id, run in runs.items()}
    latest: dict[tuple[int, int], StepResult] = {}
    results = (
        StepResult.objects.filter(run__in=list(runs.values()))
        .select_related("step", "recorded_by")
        .prefetch_related("photos")
        .order_by("recorded_at", "id")
    )
    for result in results:
        latest[(template_of_run[result.run_id], result.step.number)] = result
    faults = list(fault_list_for_subject(subject))
    fault_of_result = {f.step_result_id: f for f in reversed(faults) if f.step_result_id}
    checklists = []
    for template in templates:
        rows = []
        for step in steps_by_template[template.pk]:
            last = latest.get((template.pk, step.number))
            rows.append(
                {
                    "step": step,
                    "latest": last,
                    "fault": fault_of_result.get(last.pk) if last else None,
                }
            )
        checklists.append(
            {
                "template": template,
                "run": runs.get(template.pk),
                "steps": rows,
                "passed": sum(
                    1
                    for r in rows
                    if r["latest"] is not None and r["latest"].result == StepResult.Result.PASS
                ),
            }
        )
    return {
        "checklists": checklists,
        "faults": faults,
        "network_ops": responsible_department(task.org_unit),
    }

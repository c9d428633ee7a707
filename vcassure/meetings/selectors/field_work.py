"""Reads for the field pages: a task's card with its checklists, photos and faults."""

from collections import defaultdict

from vcassure.checklists.models import ChecklistTemplate
from vcassure.core.subjects import task_ref
from vcassure.meetings.models import Meeting, SupportTask

VENUE_TEMPLATE = "venue-r7"
FIBRE_TEMPLATE = "fibre-r8"


FIELD_KINDS = (SupportTask.Kind.VENUE, SupportTask.Kind.PATROL)


def progress_template(task: SupportTask) -> str:
    """The checklist whose steps make the task ready and done: R8 for a line crew's patrol task,
    R7 for a venue task."""
    return FIBRE_TEMPLATE if task.kind == SupportTask.Kind.PATROL else VENUE_TEMPLATE


def templates_for(task: SupportTask) -> list[ChecklistTemplate]:
    """R7 for every venue task; R8 fibre patrol too for important and special meetings; a fibre
    patrol task (the line crew's) has R8 only."""
    codes = [progress_template(task)]
    if task.kind == SupportTask.Kind.VENUE and task.meeting.importance != Meeting.Importance.NORMAL:
        codes.append(FIBRE_TEMPLATE)
    found = {t.code: t for t in ChecklistTemplate.objects.filter(code__in=codes, is_active=True)}
    return [found[c] for c in codes if c in found]


def task_field_card(task: SupportTask) -> dict:
    """The task card of a field page (the caller has checked access: check_field_access or
    task_get): each checklist with every step's latest result and photos, the faults opened for
    the task (a failed step points to its own), and the city network operations department to
    call. Six queries whatever the number of steps and photos."""
    from vcassure.checklists.models import ChecklistRun, ChecklistStep, StepResult
    from vcassure.faults.selectors import fault_list_for_subject
    from vcassure.faults.services import responsible_department

    subject = task_ref(task.pk)
    templates = templates_for(task) if task.kind in FIELD_KINDS else []
    steps_by_template: dict[int, list] = defaultdict(list)
    for step in ChecklistStep.objects.filter(template__in=templates).order_by(
        "template_id", "number"
    ):
        steps_by_template[step.template_id].append(step)
    runs = {
        run.template_id: run
        for run in ChecklistRun.objects.filter(subject=subject, template__in=templates)
    }
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


STANDBY_STATES = ("on_site", "ready", "in_meeting", "restored")


def standby_patrol_for_venue(venue_id: int, *, at) -> SupportTask | None:
    """R8: the line crew's patrol task standing by on a fibre route to this venue at `at` (checked
    in, its meeting live and `at` inside the crew's busy window), the crew a fibre fault at the
    venue should go straight to; None when no crew stands by. The earliest-dispatched first."""
    return (
        SupportTask.objects.filter(
            kind=SupportTask.Kind.PATROL,
            fibre_route__venue_id=venue_id,
            state__in=STANDBY_STATES,
            checked_in_at__isnull=False,
            assignee__isnull=False,
            busy_from__lte=at,
            busy_until__gte=at,
            meeting__state__in=[Meeting.State.PUBLISHED, Meeting.State.IN_PROGRESS],
        )
        .select_related("assignee", "fibre_route", "meeting")
        .order_by("id")
        .first()
    )

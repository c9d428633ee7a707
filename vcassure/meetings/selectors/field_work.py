"""Reads for the field pages: a task's card with its checklists, photos and faults."""

from collections import defaultdict

from vcassure.checklists.models import ChecklistTemplate
from vcassure.checklists.selectors import templates_applying
from vcassure.core.subjects import task_ref
from vcassure.meetings.models import Meeting, SupportTask

VENUE_TEMPLATE = "venue-r7"
FIBRE_TEMPLATE = "fibre-r8"


FIELD_KINDS = (SupportTask.Kind.VENUE, SupportTask.Kind.PATROL)


def progress_template(task: SupportTask) -> str:
    """The default checklist code of a task: R8 for a line crew's patrol task, R7 for a venue task
    (template_for_code maps it to whichever template of that kind applies)."""
    return FIBRE_TEMPLATE if task.kind == SupportTask.Kind.PATROL else VENUE_TEMPLATE


def progress_kind(task: SupportTask) -> str:
    """The kind of checklist whose steps make the task ready and done."""
    return (
        ChecklistTemplate.Kind.FIBRE
        if task.kind == SupportTask.Kind.PATROL
        else ChecklistTemplate.Kind.VENUE
    )


def templates_for(task: SupportTask) -> list[ChecklistTemplate]:
    """The templates that apply to a task. A venue task: by default R7 for every meeting and the
    R8 fibre patrol for important and special ones; an administrator's template for the meeting's
    system or importance replaces the default of its kind. A line crew's patrol task: the fibre
    (R8) kind only. A template already started on the task (its run) stays, even if the
    administrator has changed what applies since."""
    applying = templates_applying(
        applies_to=ChecklistTemplate.AppliesTo.MEETING,
        system_id=task.meeting.system_id,
        importance=task.meeting.importance,
    )
    if task.kind == SupportTask.Kind.PATROL:
        applying = [t for t in applying if t.kind == ChecklistTemplate.Kind.FIBRE]
    started = list(
        ChecklistTemplate.objects.filter(runs__subject=task_ref(task.pk)).order_by("runs__id")
    )
    if not started:
        return applying
    kinds = {t.kind for t in started}
    return started + [t for t in applying if t.kind not in kinds]


def template_for_code(task: SupportTask, code: str) -> ChecklistTemplate | None:
    """The task's template by code; the R7 and R8 codes also name whichever template of their
    kind applies (clients written for R7/R8 keep working when an administrator replaces them)."""
    templates = templates_for(task)
    found = next((t for t in templates if t.code == code), None)
    default_kind = {
        VENUE_TEMPLATE: ChecklistTemplate.Kind.VENUE,
        FIBRE_TEMPLATE: ChecklistTemplate.Kind.FIBRE,
    }.get(code)
    if found is None and default_kind is not None:
        found = next((t for t in templates if t.kind == default_kind), None)
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
                    1 for r in rows if r["latest"] is not None and r["latest"].counts_as_pass
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

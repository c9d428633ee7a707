"""R8: a fibre fault at a venue whose route a line crew is standing by on goes straight to that
crew (assigned at once, instead of waiting for network operations to dispatch someone)."""

from vcassure.checklists.models import ChecklistTemplate, StepResult
from vcassure.core import clock
from vcassure.faults.models import Fault
from vcassure.faults.services import fault_assign
from vcassure.meetings.selectors.field_work import standby_patrol_for_venue


def is_fibre_fault(fault: Fault) -> bool:
    """A fault opened by a failed step of a fibre-kind (R8) checklist: the venue person's R8 checks
    or the crew's own patrol."""
    return (
        fault.step_result_id is not None
        and StepResult.objects.filter(
            pk=fault.step_result_id, run__template__kind=ChecklistTemplate.Kind.FIBRE
        ).exists()
    )


def fibre_fault_to_standby_crew(fault: Fault) -> bool:
    """Assign a still-open fibre fault to the crew standing by on a route to its venue, if any.
    Done by the system (no actor); the crew is told as any assignee is. True when assigned."""
    current = Fault.objects.filter(pk=fault.pk).first()
    if current is None or current.venue_id is None or current.state != Fault.State.OPEN:
        return False
    if not is_fibre_fault(current):
        return False
    patrol = standby_patrol_for_venue(current.venue_id, at=clock.now())
    if patrol is None or patrol.assignee_id is None:
        return False
    fault_assign(current, by=None, assignee=patrol.assignee_id)
    return True

from django.db.models import QuerySet

from vcassure.faults.models import Fault


def fault_list(
    *, user, state: str = "", org_unit_path: str = "", subject: str = ""
) -> QuerySet[Fault]:
    qs = Fault.objects.visible_to(user).select_related("venue", "org_unit", "assigned_department")
    if state:
        qs = qs.filter(state=state)
    if org_unit_path:
        qs = qs.filter(org_unit__path__startswith=org_unit_path)
    if subject:
        qs = qs.filter(subject=subject)
    return qs


def fault_get(*, user, pk: int) -> Fault:
    return (
        Fault.objects.visible_to(user)
        .select_related("venue", "org_unit", "assigned_department", "step_result__step")
        .get(pk=pk)
    )


def fault_list_for_subject(subject: str) -> QuerySet[Fault]:
    """The faults opened about one subject ("task:123"), newest first, for a page whose caller has
    already checked access to that subject (the assignee of a task sees its faults)."""
    return (
        Fault.objects.filter(subject=subject)
        .select_related("assigned_department")
        .order_by("-opened_at", "-id")
    )


def fault_event_list(fault: Fault) -> QuerySet:
    return fault.events.select_related("actor").order_by("at", "id")

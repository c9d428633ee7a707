from django.db.models import QuerySet

from vcassure.accounts.types import UserLike
from vcassure.faults.models import Fault


def fault_list(
    *, user: UserLike, state: str = "", org_unit: int | None = None, subject: str = ""
) -> QuerySet[Fault]:
    qs = Fault.objects.visible_to(user).select_related("venue", "org_unit", "assigned_department")
    if state:
        qs = qs.filter(state=state)
    if org_unit is not None:
        qs = qs.in_visible_unit(user, org_unit)
    if subject:
        qs = qs.filter(subject=subject)
    return qs


def fault_get(*, user: UserLike, pk: int) -> Fault:
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


def fault_is_open_about(subject: str) -> bool:
    """Whether a fault opened about the subject still waits for its restore."""
    return Fault.objects.filter(
        subject=subject, state__in=[Fault.State.OPEN, Fault.State.ASSIGNED]
    ).exists()


def fault_event_list(fault: Fault) -> QuerySet:
    return fault.events.select_related("actor").order_by("at", "id")

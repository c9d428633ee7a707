from django.db.models import QuerySet

from vcassure.faults.models import Fault


def fault_list(*, user, state: str = "", org_unit_path: str = "", subject: str = "") -> QuerySet[Fault]:
    qs = Fault.objects.visible_to(user).select_related("venue", "org_unit", "assigned_department")
    if state:
        qs = qs.filter(state=state)
    if org_unit_path:
        qs = qs.filter(org_unit__path__startswith=org_unit_path)
    if subject:
        qs = qs.filter(subject=subject)
    return qs


def fault_get(*, user, pk: int) -> Fault:
    return Fault.objects.visible_to(user).select_related("venue", "org_unit", "assigned_department", "step_result__step").get(pk=pk)

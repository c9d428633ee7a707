"""Reads for checklists: which template applies to a piece of work, the template list."""

from django.db.models import QuerySet

from vcassure.checklists.models import ChecklistTemplate

# The order in which the kinds of one piece of work are shown and done.
KIND_ORDER = [
    ChecklistTemplate.Kind.VENUE,
    ChecklistTemplate.Kind.INSPECTION,
    ChecklistTemplate.Kind.CUSTOM,
    ChecklistTemplate.Kind.FIBRE,
]


def _specificity(template: ChecklistTemplate) -> tuple[int, int, int, str]:
    # A template naming the system beats one for every system; naming importances or an inspection
    # kind beats naming none; the code settles ties so the choice is stable.
    return (
        0 if template.system_id else 1,
        0 if template.importances else 1,
        0 if template.inspection_kind else 1,
        template.code,
    )


def templates_applying(
    *,
    applies_to: str,
    system_id: int | None = None,
    importance: str = "",
    inspection_kind: str = "",
) -> list[ChecklistTemplate]:
    """The active templates that apply to a piece of work: per template kind, the most specific
    one whose system (none: any), importances (empty: any) and inspection kind (blank: any) match.
    A meeting gets R7 and, when important, R8; an administrator's template for one system or one
    importance replaces the default of its kind there."""
    candidates = [
        t
        for t in ChecklistTemplate.objects.filter(applies_to=applies_to, is_active=True)
        if (t.system_id is None or t.system_id == system_id)
        and (not t.importances or importance in t.importances)
        and (not t.inspection_kind or t.inspection_kind == inspection_kind)
    ]
    best: dict[str, ChecklistTemplate] = {}
    for template in sorted(candidates, key=_specificity):
        best.setdefault(template.kind, template)
    order: dict[str, int] = {str(k): i for i, k in enumerate(KIND_ORDER)}
    return sorted(best.values(), key=lambda t: order.get(str(t.kind), 99))


def template_list() -> QuerySet[ChecklistTemplate]:
    return ChecklistTemplate.objects.select_related("system").prefetch_related("steps")


def template_get(*, pk: int) -> ChecklistTemplate:
    return template_list().get(pk=pk)

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import Length
from django.utils.translation import gettext_lazy as _

from vcassure.accounts.types import UserLike

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

from vcassure.orgs.models import Department, OrgUnit, Staff, StaffingRule


def org_unit_list(
    *, user: UserLike, level: str = "", parent: int | None = None, q: str = ""
) -> QuerySet[OrgUnit]:
    qs = OrgUnit.objects.visible_to(user)
    if level:
        qs = qs.filter(level=level)
    if parent is not None:
        qs = qs.filter(parent_id=parent)
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(code__startswith=q))
    return qs


def org_unit_get(*, user: UserLike, pk: int) -> OrgUnit:
    return OrgUnit.objects.visible_to(user).select_related("parent").get(pk=pk)


def org_unit_roots(*, user: UserLike) -> QuerySet[OrgUnit]:
    """The top of what the user may see: the province for province users, their own unit otherwise."""
    visible = OrgUnit.objects.visible_to(user)
    # With subtree scoping the visible units form one subtree; its root has the shortest path.
    top = visible.order_by(Length("path"), "path").values_list("path", flat=True).first()
    return visible.filter(path=top) if top is not None else visible.none()


# Higher apps add what the org tree counts per unit (label, queryset factory, path lookup), from
# their AppConfig.ready(); orgs never imports them.
TREE_COUNTERS: dict[str, tuple["StrOrPromise", Callable[[], QuerySet], str]] = {
    "staff": (_("人员"), lambda: Staff.objects.filter(is_active=True), "org_unit__path"),
}


def tree_counter_register(
    key: str, label: "StrOrPromise", queryset: Callable[[], QuerySet], path_lookup: str
) -> None:
    TREE_COUNTERS[key] = (label, queryset, path_lookup)


def org_unit_children_with_counts(*, user: UserLike, parent: OrgUnit) -> list[OrgUnit]:
    """Children of `parent`, each with `counts` {key: n} over its subtree: one query per counter,
    whatever the number of children."""
    children = list(OrgUnit.objects.visible_to(user).filter(parent=parent).order_by("code"))
    if not children:
        return children
    per_counter = {
        key: subtree_counts(factory(), lookup, parent.path)
        for key, (_label, factory, lookup) in TREE_COUNTERS.items()
    }
    for child in children:
        child.counts = {key: counts.get(child.pk, 0) for key, counts in per_counter.items()}
        child.has_children = child.level != OrgUnit.Level.TOWNSHIP
    return children


def subtree_counts(qs, path_lookup: str, parent_path: str) -> dict[int, int]:
    """Count rows of `qs` per child subtree of the node at `parent_path`, in one query.
    The child's id is the path segment right after the parent's path."""
    counts: dict[int, int] = {}
    rows = (
        qs.filter(**{f"{path_lookup}__startswith": parent_path})
        .values(path_lookup)
        .annotate(n=Count("id"))
    )
    offset = len(parent_path)
    for row in rows:
        rest = row[path_lookup][offset:]
        if not rest:
            continue
        child_id = int(rest.split("/", 1)[0])
        counts[child_id] = counts.get(child_id, 0) + row["n"]
    return counts


def department_list(
    *, user: UserLike, org_unit: int | None = None, kind: str = "", q: str = ""
) -> QuerySet[Department]:
    qs = Department.objects.visible_to(user).select_related("org_unit", "head")
    if org_unit:
        qs = qs.in_visible_unit(user, org_unit)
    if kind:
        qs = qs.filter(kind=kind)
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(org_unit__name__icontains=q))
    return qs.annotate(staff_count=Count("staff", filter=Q(staff__is_active=True))).order_by(
        "org_unit__code", "kind"
    )


def staff_list(
    *,
    user: UserLike,
    org_unit: int | None = None,
    q: str = "",
    department_kind: str = "",
    is_emergency_mobile: bool | None = None,
) -> QuerySet[Staff]:
    qs = (
        Staff.objects.visible_to(user)
        .filter(is_active=True)
        .select_related("org_unit", "department", "supervisor")
    )
    if org_unit:
        qs = qs.in_visible_unit(user, org_unit)
    if department_kind:
        qs = qs.filter(department__kind=department_kind)
    if is_emergency_mobile is not None:
        qs = qs.filter(is_emergency_mobile=is_emergency_mobile)
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(code__icontains=q) | Q(mobile__contains=q))
    return qs


def staff_get(*, user: UserLike, pk: int) -> Staff:
    return (
        Staff.objects.visible_to(user)
        .select_related("org_unit", "department", "supervisor", "user")
        .get(pk=pk)
    )


@dataclass(frozen=True)
class Shortfall:
    """One unit that has fewer people than R5 asks for."""

    org_unit_id: int
    org_unit_code: str
    org_unit_name: str
    level: str
    kind: str  # "regular" or "emergency"
    required: int
    actual: int

    @property
    def missing(self) -> int:
        return self.required - self.actual


def staffing_shortfalls(
    *, user: "UserLike | None" = None, units: QuerySet[OrgUnit] | None = None
) -> list[Shortfall]:
    """R5 check for every unit (in scope): regular and emergency mobile staff against the rules.
    Three queries whatever the number of units."""
    rules = {rule.level: rule for rule in StaffingRule.objects.all()}
    if units is None:
        units = OrgUnit.objects.visible_to(user) if user is not None else OrgUnit.objects.all()
    units = units.filter(level__in=rules.keys())
    by_department: dict[tuple[int, str, bool], int] = {}
    by_unit: dict[tuple[int, bool], int] = {}
    staff = Staff.objects.filter(is_active=True)
    for row in staff.values("org_unit_id", "department__kind", "is_emergency_mobile").annotate(
        n=Count("id")
    ):
        unit_id, emergency = row["org_unit_id"], row["is_emergency_mobile"]
        by_department[(unit_id, row["department__kind"] or "", emergency)] = row["n"]
        by_unit[(unit_id, emergency)] = by_unit.get((unit_id, emergency), 0) + row["n"]
    shortfalls: list[Shortfall] = []
    for unit in units.order_by("code").only("id", "code", "name", "level"):
        rule = rules[unit.level]
        for kind, required, emergency in (
            ("regular", rule.regular, False),
            ("emergency", rule.emergency, True),
        ):
            if not required:
                continue
            if rule.department_kind:
                actual = by_department.get((unit.pk, rule.department_kind, emergency), 0)
            else:
                actual = by_unit.get((unit.pk, emergency), 0)
            if actual < required:
                shortfalls.append(
                    Shortfall(unit.pk, unit.code, unit.name, unit.level, kind, required, actual)
                )
    return shortfalls


def dispatch_desk_staff() -> list[Staff]:
    """The province O&M department's people: the dispatch desk."""
    province = OrgUnit.objects.filter(parent__isnull=True).order_by("code").first()
    if province is None:
        return []
    return list(
        Staff.objects.filter(
            department__org_unit=province, department__kind=Department.Kind.OPS, is_active=True
        )
    )

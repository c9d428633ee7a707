"""Staff in a workbook: one row per person, keyed by staff code (工号)."""

from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from vcassure.accounts.permissions import can_see_phone_numbers
from vcassure.accounts.types import UserLike
from vcassure.orgs.models import Department, OrgUnit, Staff, mask_phone
from vcassure.orgs.services import department_create, staff_create, staff_update
from vcassure.transfer.services.common import (
    ImportResult,
    RollbackImport,
    Scope,
    org_unit_cell,
    validation_errors_to_rows,
)
from vcassure.transfer.services.workbook import (
    Column,
    RowError,
    RowReader,
    SheetRow,
    choice_label,
    choice_lookup,
    flag_text,
)

KIND = "staff"
COLUMNS = [
    Column("code", "工号", 12, text=True),
    Column("name", "姓名", 12),
    Column("org_unit", "组织单元代码", 14, text=True),
    Column("department", "部门", 16),
    Column("title", "岗位", 14),
    Column("mobile", "手机", 14, text=True),
    Column("email", "邮箱", 26),
    Column("dingtalk_user_id", "钉钉用户ID", 18, text=True),
    Column("wecom_user_id", "企业微信用户ID", 18, text=True),
    Column("supervisor", "主管工号", 12, text=True),
    Column("is_emergency_mobile", "应急机动人员", 12),
    Column("is_active", "在岗", 8),
]
HEADERS = {column.key: column.header for column in COLUMNS}


def export_rows(*, user: UserLike) -> list[list[object]]:
    show_phone = can_see_phone_numbers(user)
    staff = (
        Staff.objects.visible_to(user)
        .select_related("org_unit", "department", "supervisor")
        .order_by("org_unit__code", "code")
    )
    return [
        [
            person.code,
            person.name,
            person.org_unit.code,
            choice_label(Department.Kind, person.department.kind) if person.department else "",
            person.title,
            person.mobile if show_phone else mask_phone(person.mobile),
            person.email,
            person.dingtalk_user_id,
            person.wecom_user_id,
            person.supervisor.code if person.supervisor else "",
            flag_text(person.is_emergency_mobile),
            flag_text(person.is_active),
        ]
        for person in staff
    ]


@dataclass
class _Plan:
    row: int
    code: str
    org_unit: OrgUnit | None
    department_kind: str
    supervisor_code: str
    values: dict[str, Any]  # the plain fields
    existing: Staff | None
    changed: set[str] = field(default_factory=set)


def import_rows(*, user: UserLike, rows: list[SheetRow]) -> ImportResult:
    scope = Scope.of(user)
    units = {unit.code: unit for unit in OrgUnit.objects.all()}
    departments = {(d.org_unit_id, d.kind): d for d in Department.objects.all()}
    staff = {
        s.code: s for s in Staff.objects.select_related("org_unit", "department", "supervisor")
    }
    visible_staff = set(Staff.objects.visible_to(user).values_list("id", flat=True))
    kind_lookup = choice_lookup(Department.Kind)
    kind_names = "、".join(choice_label(Department.Kind, kind) for kind in Department.Kind.values)
    errors: list[RowError] = []
    plans: list[_Plan] = []
    readers: list[RowReader] = []
    first_row: dict[str, int] = {}

    for row in rows:
        reader = RowReader(row, COLUMNS, errors)
        code = reader.text("code", required=True, max_length=32)
        values = {
            "name": reader.text("name", required=True, max_length=50),
            "title": reader.text("title", max_length=50),
            "mobile": reader.mobile("mobile"),
            "email": reader.email("email", max_length=254),
            "dingtalk_user_id": reader.text("dingtalk_user_id", max_length=64),
            "wecom_user_id": reader.text("wecom_user_id", max_length=64),
            "is_emergency_mobile": reader.flag("is_emergency_mobile", default=False),
            "is_active": reader.flag("is_active", default=True),
        }
        existing = staff.get(code)
        if code in first_row:
            reader.error("code", _("重复的工号（与第 %(row)s 行相同）") % {"row": first_row[code]})
        elif code:
            first_row[code] = row.number
        if existing is not None and existing.pk not in visible_staff:
            reader.error("code", _("人员不在您的管辖范围内"))
        unit = org_unit_cell(reader, units, scope)
        kind = reader.choice(
            "department",
            kind_lookup,
            _("未知的部门类型（应为 %(kinds)s）") % {"kinds": kind_names},
            blank="",
        )
        if kind and unit is not None and unit.level not in Department.KIND_LEVELS[kind]:
            reader.error(
                "department",
                _("%(level)s级单元不设%(kind)s")
                % {
                    "level": choice_label(OrgUnit.Level, unit.level),
                    "kind": choice_label(Department.Kind, kind),
                },
            )
        supervisor_code = reader.text("supervisor", max_length=32)
        plans.append(_Plan(row.number, code, unit, kind, supervisor_code, values, existing))
        readers.append(reader)

    for plan, reader in zip(plans, readers, strict=True):
        if plan.supervisor_code:
            _check_supervisor(plan, reader, staff, first_row, scope)
        if not reader.failed and plan.existing is not None:
            plan.changed = _changes(plan, departments, staff)

    result = ImportResult(kind=KIND, rows=len(rows), errors=errors)
    if errors:
        return result
    _write(plans, departments, staff, user=user, result=result)
    return result


def _check_supervisor(
    plan: _Plan, reader: RowReader, staff: dict[str, Staff], first_row, scope: Scope
) -> None:
    if plan.supervisor_code == plan.code:
        reader.error("supervisor", _("主管不能是本人"))
        return
    if plan.supervisor_code in first_row:
        return  # defined in this file; its own row is checked on its own
    supervisor = staff.get(plan.supervisor_code)
    unchanged = (
        supervisor is not None
        and plan.existing is not None
        and plan.existing.supervisor_id == supervisor.pk
    )
    if supervisor is None or not (unchanged or scope.may_reference(supervisor)):
        # Someone outside the importer's reach reads the same as nobody at all.
        reader.error("supervisor", _("主管工号不存在或不在您的管辖范围内"))


def _changes(plan: _Plan, departments, staff: dict[str, Staff]) -> set[str]:
    existing, unit = plan.existing, plan.org_unit
    assert existing is not None and unit is not None  # only rows that passed their checks
    changed = {name for name, value in plan.values.items() if getattr(existing, name) != value}
    if existing.org_unit_id != unit.pk:
        changed.add("org_unit")
    department = departments.get((unit.pk, plan.department_kind)) if plan.department_kind else None
    if department is None and plan.department_kind:
        changed.add("department")  # created by this import
    elif (department.pk if department else None) != existing.department_id:
        changed.add("department")
    supervisor = staff.get(plan.supervisor_code) if plan.supervisor_code else None
    if plan.supervisor_code and supervisor is None:
        changed.add("supervisor")  # a new person in this file
    elif (supervisor.pk if supervisor else None) != existing.supervisor_id:
        changed.add("supervisor")
    return changed


def _write(
    plans: list[_Plan],
    departments,
    staff: dict[str, Staff],
    *,
    user: UserLike,
    result: ImportResult,
) -> None:
    errors: list[RowError] = []
    later: list[tuple[_Plan, Staff]] = []  # people whose supervisor comes further down the file
    for plan in plans:
        unit = plan.org_unit
        assert unit is not None  # only valid files get here
        department = None
        if plan.department_kind:
            department = departments.get((unit.pk, plan.department_kind))
            if department is None:
                department = department_create(by=user, org_unit=unit, kind=plan.department_kind)
                departments[(unit.pk, plan.department_kind)] = department
        if plan.existing is not None and not plan.changed:
            result.unchanged += 1
            continue
        fields: dict[str, Any] = {**plan.values, "org_unit": unit, "department": department}
        supervisor = staff.get(plan.supervisor_code) if plan.supervisor_code else None
        if supervisor is not None or not plan.supervisor_code:
            fields["supervisor"] = supervisor
        try:
            if plan.existing is None:
                person = staff_create(by=user, code=plan.code, **fields)
                staff[plan.code] = person
                result.created += 1
            else:
                person = plan.existing
                staff_update(
                    person, by=user, **{k: v for k, v in fields.items() if k in plan.changed}
                )
                result.updated += 1
            if "supervisor" not in fields:
                later.append((plan, person))
        except ValidationError as exc:
            errors.extend(
                validation_errors_to_rows(
                    exc, row=plan.row, headers=HEADERS, fallback=HEADERS["code"]
                )
            )
    for plan, person in later:
        try:
            staff_update(person, by=user, supervisor=staff[plan.supervisor_code])
        except ValidationError as exc:
            errors.extend(
                validation_errors_to_rows(
                    exc, row=plan.row, headers=HEADERS, fallback=HEADERS["code"]
                )
            )
    if errors:
        raise RollbackImport(errors)

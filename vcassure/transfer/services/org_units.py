"""Org units in a workbook: one row per unit, keyed by its code, with its parent's code."""

import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from vcassure.accounts.types import UserLike
from vcassure.orgs.models import OrgUnit
from vcassure.orgs.services import org_unit_create, org_unit_update
from vcassure.transfer.services.common import (
    ImportResult,
    RollbackImport,
    Scope,
    validation_errors_to_rows,
)
from vcassure.transfer.services.workbook import (
    Column,
    RowError,
    RowReader,
    SheetRow,
    choice_label,
    choice_lookup,
)

KIND = "org_units"
COLUMNS = [
    Column("code", "代码", 14, text=True),
    Column("name", "名称", 28),
    Column("level", "层级", 12),
    Column("parent", "上级代码", 14, text=True),
]
HEADERS = {column.key: column.header for column in COLUMNS}


def export_rows(*, user: UserLike) -> list[list[object]]:
    units = OrgUnit.objects.visible_to(user).select_related("parent")
    ordered = sorted(units, key=lambda unit: (unit.depth, unit.code))
    return [
        [
            unit.code,
            unit.name,
            choice_label(OrgUnit.Level, unit.level),
            unit.parent.code if unit.parent else "",
        ]
        for unit in ordered
    ]


@dataclass
class _Plan:
    row: int
    code: str
    name: str
    level: str
    parent_code: str
    existing: OrgUnit | None
    failed: bool
    changed: bool = False


def import_rows(*, user: UserLike, rows: list[SheetRow]) -> ImportResult:
    scope = Scope.of(user)
    units = {unit.code: unit for unit in OrgUnit.objects.all()}
    by_id = {unit.pk: unit for unit in units.values()}
    for unit in units.values():
        if unit.parent_id:
            unit.parent = by_id[unit.parent_id]  # saves a query per unit in the services
    with_children = {unit.parent_id for unit in units.values() if unit.parent_id}
    level_lookup = choice_lookup(OrgUnit.Level)
    level_names = "、".join(choice_label(OrgUnit.Level, level) for level in OrgUnit.LEVEL_ORDER)
    errors: list[RowError] = []
    plans: list[_Plan] = []
    first_row: dict[str, _Plan] = {}

    readers = []
    for row in rows:
        reader = RowReader(row, COLUMNS, errors)
        code = reader.text("code", required=True, max_length=12)
        name = reader.text("name", required=True, max_length=100)
        level = reader.choice(
            "level", level_lookup, _("层级不正确（应为 %(levels)s）") % {"levels": level_names}
        )
        parent_code = reader.text("parent", max_length=12)
        if code and level and not re.fullmatch(rf"\d{{{OrgUnit.CODE_LENGTH[level]}}}", code):
            reader.error(
                "code",
                _("代码格式错误（%(level)s级代码应为 %(n)s 位数字）")
                % {"level": choice_label(OrgUnit.Level, level), "n": OrgUnit.CODE_LENGTH[level]},
            )
        if code in first_row:
            reader.error(
                "code", _("重复的代码（与第 %(row)s 行相同）") % {"row": first_row[code].row}
            )
        plan = _Plan(row.number, code, name, level, parent_code, units.get(code), failed=False)
        if code and code not in first_row:
            first_row[code] = plan
        plans.append(plan)
        readers.append(reader)

    def in_scope(code: str, seen: frozenset[str] = frozenset()) -> bool:
        """Whether a unit, existing or new in this file, lies inside the importer's subtree."""
        if code in units:
            return units[code].pk in scope.visible_unit_ids
        plan = first_row.get(code)
        if plan is None or code in seen:
            return False
        if not plan.parent_code:
            return scope.is_everything
        return in_scope(plan.parent_code, seen | {code})

    for plan, reader in zip(plans, readers, strict=True):
        _check_relations(plan, reader, units, by_id, first_row, with_children, scope, in_scope)
        plan.failed = reader.failed
        existing = plan.existing
        if existing is not None and not plan.failed:
            old_parent = by_id[existing.parent_id].code if existing.parent_id else ""
            plan.changed = (existing.name, existing.level, old_parent) != (
                plan.name,
                plan.level,
                plan.parent_code,
            )

    result = ImportResult(kind=KIND, rows=len(rows), errors=errors)
    if errors:
        return result
    _write(plans, units, user=user, result=result)
    return result


def _check_relations(plan, reader, units, by_id, first_row, with_children, scope, in_scope) -> None:
    """Scope, parent and level checks, which need every row's level first."""
    if not plan.code or not plan.level:
        return
    existing = plan.existing
    if existing is not None and existing.pk not in scope.visible_unit_ids:
        reader.error("code", _("组织单元不在您的管辖范围内"))
        return
    if existing is not None and existing.level != plan.level and existing.pk in with_children:
        reader.error("level", _("已有下级单元，不能更改层级"))
    if plan.level == OrgUnit.Level.PROVINCE:
        if plan.parent_code:
            reader.error("parent", _("层级不正确：省级单元不能有上级"))
        elif existing is None and not scope.is_everything:
            reader.error("code", _("组织单元不在您的管辖范围内"))
        return
    if not plan.parent_code:
        reader.error("parent", _("必填"))
        return
    parent_plan = first_row.get(plan.parent_code)
    parent_unit = units.get(plan.parent_code)
    if plan.parent_code == plan.code or (parent_plan is None and parent_unit is None):
        reader.error("parent", _("上级单元不存在"))
        return
    parent_level = parent_plan.level if parent_plan is not None else parent_unit.level
    expected = OrgUnit.LEVEL_ORDER[OrgUnit.LEVEL_ORDER.index(plan.level) - 1]
    if parent_level and parent_level != expected:
        reader.error(
            "parent",
            _("层级不正确：%(level)s级单元的上级应为%(parent)s级")
            % {"level": _level_label(plan.level), "parent": _level_label(expected)},
        )
        return
    old_parent = (
        by_id[existing.parent_id].code if existing is not None and existing.parent_id else None
    )
    if plan.parent_code != old_parent and not in_scope(plan.parent_code):
        reader.error("parent", _("上级单元不在您的管辖范围内"))


def _level_label(level: str) -> str:
    return choice_label(OrgUnit.Level, level)


def _write(
    plans: list[_Plan], units: dict[str, OrgUnit], *, user: UserLike, result: ImportResult
) -> None:
    """Parents before children: a row may name a parent defined anywhere in the same file."""
    errors: list[RowError] = []
    for plan in sorted(plans, key=lambda p: OrgUnit.LEVEL_ORDER.index(p.level)):
        parent = units[plan.parent_code] if plan.parent_code else None
        try:
            if plan.existing is None:
                units[plan.code] = org_unit_create(
                    by=user, code=plan.code, name=plan.name, level=plan.level, parent=parent
                )
                result.created += 1
            elif plan.changed:
                unit = plan.existing
                old_path = unit.path
                org_unit_update(unit, by=user, name=plan.name, level=plan.level, parent=parent)
                result.updated += 1
                if unit.path != old_path:
                    # The service rewrote the moved subtree's paths in the database; children
                    # created later in this import must build on the new ones.
                    for code, path in OrgUnit.objects.values_list("code", "path"):
                        units[code].path = path
            else:
                result.unchanged += 1
        except ValidationError as exc:
            errors.extend(
                validation_errors_to_rows(
                    exc, row=plan.row, headers=HEADERS, fallback=HEADERS["code"]
                )
            )
    if errors:
        raise RollbackImport(errors)

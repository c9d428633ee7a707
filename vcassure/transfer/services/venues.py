"""Venues in a workbook: one row per venue, keyed by venue code, naming its system, org unit and
support staff by their codes."""

from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from vcassure.accounts.types import UserLike
from vcassure.orgs.models import OrgUnit, Staff
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
from vcassure.venues.models import CustomerSystem, Venue
from vcassure.venues.services import venue_create, venue_update

KIND = "venues"
COLUMNS = [
    Column("code", "会场编码", 14, text=True),
    Column("name", "会场名称", 28),
    Column("system", "系统代码", 12, text=True),
    Column("org_unit", "组织单元代码", 14, text=True),
    Column("role", "类型", 10),
    Column("address", "地址", 36),
    Column("room", "机房/会议室", 16),
    Column("primary_staff", "主保障人员工号", 16, text=True),
    Column("backup_staff", "备份保障人员工号", 16, text=True),
    Column("is_active", "启用", 8),
]
HEADERS = {column.key: column.header for column in COLUMNS}


def export_rows(*, user: UserLike) -> list[list[object]]:
    venues = Venue.objects.visible_to(user).select_related(
        "system", "org_unit", "primary_staff", "backup_staff"
    )
    return [
        [
            venue.code,
            venue.name,
            venue.system.code,
            venue.org_unit.code,
            choice_label(Venue.Role, venue.role),
            venue.address,
            venue.room,
            venue.primary_staff.code if venue.primary_staff else "",
            venue.backup_staff.code if venue.backup_staff else "",
            flag_text(venue.is_active),
        ]
        for venue in venues
    ]


@dataclass
class _Plan:
    row: int
    code: str
    values: dict[str, Any]
    existing: Venue | None
    changed: dict[str, Any] = field(default_factory=dict)


def import_rows(*, user: UserLike, rows: list[SheetRow]) -> ImportResult:
    scope = Scope.of(user)
    units = {unit.code: unit for unit in OrgUnit.objects.all()}
    systems = {system.code.lower(): system for system in CustomerSystem.objects.all()}
    staff = {person.code: person for person in Staff.objects.all()}
    venues = {
        venue.code: venue
        for venue in Venue.objects.select_related(
            "system", "org_unit", "primary_staff", "backup_staff"
        )
    }
    visible_venues = set(Venue.objects.visible_to(user).values_list("id", flat=True))
    role_lookup = choice_lookup(Venue.Role)
    role_names = "、".join(choice_label(Venue.Role, role) for role in Venue.Role.values)
    errors: list[RowError] = []
    plans: list[_Plan] = []
    first_row: dict[str, int] = {}

    for row in rows:
        reader = RowReader(row, COLUMNS, errors)
        code = reader.text("code", required=True, max_length=32)
        existing = venues.get(code)
        if code in first_row:
            reader.error(
                "code", _("重复的会场编码（与第 %(row)s 行相同）") % {"row": first_row[code]}
            )
        elif code:
            first_row[code] = row.number
        if existing is not None and existing.pk not in visible_venues:
            reader.error("code", _("会场不在您的管辖范围内"))
        values = {
            "name": reader.text("name", required=True, max_length=100),
            "system": _system(reader, systems),
            "org_unit": org_unit_cell(reader, units, scope),
            "role": reader.choice(
                "role",
                role_lookup,
                _("类型不正确（应为 %(roles)s）") % {"roles": role_names},
                blank=Venue.Role.BRANCH,
            ),
            "address": reader.text("address", max_length=200),
            "room": reader.text("room", max_length=100),
            "primary_staff": _staff(reader, "primary_staff", staff, scope, existing),
            "backup_staff": _staff(reader, "backup_staff", staff, scope, existing),
            "is_active": reader.flag("is_active", default=True),
        }
        plan = _Plan(row.number, code, values, existing)
        if not reader.failed and existing is not None:
            plan.changed = {
                name: value
                for name, value in values.items()
                if _value(existing, name) != _key(value)
            }
        plans.append(plan)

    result = ImportResult(kind=KIND, rows=len(rows), errors=errors)
    if errors:
        return result
    write_errors: list[RowError] = []
    for plan in plans:
        try:
            if plan.existing is None:
                venue_create(by=user, code=plan.code, **plan.values)
                result.created += 1
            elif plan.changed:
                venue_update(plan.existing, by=user, **plan.changed)
                result.updated += 1
            else:
                result.unchanged += 1
        except ValidationError as exc:
            write_errors.extend(
                validation_errors_to_rows(
                    exc, row=plan.row, headers=HEADERS, fallback=HEADERS["code"]
                )
            )
    if write_errors:
        raise RollbackImport(write_errors)
    return result


def _value(venue: Venue, name: str) -> Any:
    """A field's current value without loading related rows: foreign keys by id."""
    if name in {"system", "org_unit", "primary_staff", "backup_staff"}:
        return getattr(venue, f"{name}_id")
    return getattr(venue, name)


def _key(value: Any) -> Any:
    return value.pk if hasattr(value, "pk") else value


def _system(reader: RowReader, systems: dict[str, CustomerSystem]) -> CustomerSystem | None:
    code = reader.text("system", required=True)
    if not code:
        return None
    system = systems.get(code.lower())
    if system is None:
        reader.error("system", _("未知的系统"))
    return system


def _staff(
    reader: RowReader, key: str, staff: dict[str, Staff], scope: Scope, existing: Venue | None
) -> Staff | None:
    code = reader.text(key, max_length=32)
    if not code:
        return None
    person = staff.get(code)
    unchanged = (
        person is not None and existing is not None and getattr(existing, f"{key}_id") == person.pk
    )
    if person is None or not (unchanged or scope.may_reference(person)):
        reader.error(key, _("工号不存在或不在您的管辖范围内"))
        return None
    return person

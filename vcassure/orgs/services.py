from typing import Any

from django.db import transaction
from django.db.models import F, Value
from django.db.models.functions import Concat, Substr

from vcassure.accounts.types import UserLike
from vcassure.core.services import audit_record, model_changes
from vcassure.orgs.models import Department, OrgUnit, Staff

ORG_UNIT_FIELDS = ["code", "name", "level", "parent"]
STAFF_FIELDS = [
    "code",
    "name",
    "org_unit",
    "department",
    "title",
    "mobile",
    "email",
    "dingtalk_user_id",
    "wecom_user_id",
    "supervisor",
    "is_emergency_mobile",
    "is_active",
]


@transaction.atomic
def org_unit_create(
    *, by: "UserLike | None", code: str, name: str, level: str, parent: OrgUnit | None = None
) -> OrgUnit:
    unit = OrgUnit(code=code, name=name, level=level, parent=parent)
    unit.full_clean()
    unit.save()
    unit.path = unit.build_path()
    unit.save(update_fields=["path"])
    audit_record(
        actor=by,
        action="org_unit.create",
        obj=unit,
        changes={"code": code, "name": name, "level": level},
    )
    return unit


@transaction.atomic
def org_unit_update(unit: OrgUnit, *, by: "UserLike | None", **fields: Any) -> OrgUnit:
    """Change an org unit; moving it to another parent rewrites the paths of its whole subtree."""
    before = {name: getattr(unit, name) for name in ORG_UNIT_FIELDS}
    old_path = unit.path
    for name, value in fields.items():
        setattr(unit, name, value)
    unit.full_clean()
    unit.save()
    new_path = unit.build_path()
    if new_path != old_path:
        OrgUnit.objects.filter(path__startswith=old_path).update(
            path=Concat(Value(new_path), Substr(F("path"), len(old_path) + 1))
        )
        unit.path = new_path
    changes = model_changes(unit, ORG_UNIT_FIELDS, before)
    if changes:
        audit_record(actor=by, action="org_unit.update", obj=unit, changes=changes)
    return unit


@transaction.atomic
def department_create(
    *, by: "UserLike | None", org_unit: OrgUnit, kind: str, name: str = "", phone: str = ""
) -> Department:
    department = Department(
        org_unit=org_unit,
        kind=kind,
        name=name or f"{org_unit.name}{Department.Kind(kind).label}",
        phone=phone,
    )
    department.full_clean()
    department.save()
    audit_record(actor=by, action="department.create", obj=department, changes={"kind": kind})
    return department


@transaction.atomic
def staff_create(*, by: "UserLike | None", **fields: Any) -> Staff:
    staff = Staff(**fields)
    staff.full_clean()
    staff.save()
    audit_record(
        actor=by,
        action="staff.create",
        obj=staff,
        changes={"code": staff.code, "org_unit": staff.org_unit_id},
    )
    return staff


@transaction.atomic
def staff_update(staff: Staff, *, by: "UserLike | None", **fields: Any) -> Staff:
    before = {name: getattr(staff, name) for name in STAFF_FIELDS}
    for name, value in fields.items():
        setattr(staff, name, value)
    staff.full_clean()
    staff.save()
    changes = model_changes(staff, STAFF_FIELDS, before)
    if changes:
        audit_record(actor=by, action="staff.update", obj=staff, changes=changes)
    return staff


def staff_phone_reveal(staff: Staff, *, by: UserLike) -> str:
    """Show one person's full number to a role that may see it, and leave a trace that it was shown."""
    audit_record(actor=by, action="staff.phone_reveal", obj=staff)
    return staff.mobile

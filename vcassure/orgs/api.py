from django.http import HttpRequest
from ninja import Query, Router, Schema
from ninja.pagination import paginate

from vcassure.accounts.permissions import can_see_phone_numbers
from vcassure.accounts.types import UserLike
from vcassure.core.api import LimitOffsetPagination
from vcassure.core.schemas import ObjectId
from vcassure.core.services import audit_record
from vcassure.orgs import selectors
from vcassure.orgs.models import OrgUnit, Staff, mask_phone
from vcassure.orgs.schemas import OrgUnitOut, StaffOut
from vcassure.orgs.signals import staff_detail_extras

router = Router(tags=["directory"])


class OrgUnitFilter(Schema):
    level: OrgUnit.Level | None = None
    parent: ObjectId | None = None
    q: str = ""


class StaffFilter(Schema):
    org_unit: ObjectId | None = None
    q: str = ""


@router.get("/org-units", response=list[OrgUnitOut], summary="Org units in the caller's scope")
@paginate(LimitOffsetPagination)
def org_unit_list(request: HttpRequest, filters: Query[OrgUnitFilter]):
    return selectors.org_unit_list(
        user=request.user, level=filters.level or "", parent=filters.parent, q=filters.q
    ).order_by("code")


@router.get("/org-units/{int:unit_id}", response=OrgUnitOut)
def org_unit_detail(request: HttpRequest, unit_id: int):
    return selectors.org_unit_get(user=request.user, pk=unit_id)


def _staff_out(staff: Staff, *, reveal: bool) -> dict:
    return {
        "id": staff.pk,
        "code": staff.code,
        "name": staff.name,
        "org_unit": staff.org_unit_id,
        "department": staff.department_id,
        "department_kind": staff.department.kind if staff.department is not None else None,
        "title": staff.title,
        "mobile": staff.mobile if reveal else mask_phone(staff.mobile),
        "email": staff.email,
        "dingtalk_user_id": staff.dingtalk_user_id,
        "wecom_user_id": staff.wecom_user_id,
        "supervisor": staff.supervisor_id,
        "is_emergency_mobile": staff.is_emergency_mobile,
    }


@router.get(
    "/staff",
    response=list[StaffOut],
    summary="Staff in scope; phone numbers masked unless the role may see them",
)
@paginate(LimitOffsetPagination)
def staff_list(request: HttpRequest, filters: Query[StaffFilter]):
    qs = selectors.staff_list(user=request.user, org_unit=filters.org_unit, q=filters.q)
    return _StaffPage(qs, reveal=can_see_phone_numbers(request.user), user=request.user)


@router.get("/staff/{int:staff_id}", response=StaffOut)
def staff_detail(request: HttpRequest, staff_id: int):
    staff = selectors.staff_get(user=request.user, pk=staff_id)
    reveal = can_see_phone_numbers(request.user)
    if reveal and staff.mobile:
        audit_record(
            actor=request.user, action="staff.phone_reveal", obj=staff, changes={"via": "api"}
        )
    out = _staff_out(staff, reveal=reveal)
    for _receiver, extra in staff_detail_extras.send(sender=Staff, staff=staff, user=request.user):
        if isinstance(extra, dict):
            out.update(extra)
    return out


class _StaffPage:
    """Serialises only the page the paginator slices, and audits numbers shown in clear."""

    def __init__(self, qs, *, reveal: bool, user: UserLike):
        self.qs, self.reveal, self.user = qs, reveal, user

    def count(self) -> int:
        return self.qs.count()

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, item):
        rows = list(self.qs[item])
        if self.reveal and rows:
            audit_record(
                actor=self.user,
                action="staff.phone_reveal",
                object_type="orgs.staff",
                object_repr=f"{len(rows)} staff (list)",
                changes={"ids": [s.pk for s in rows], "via": "api"},
            )
        return [_staff_out(staff, reveal=self.reveal) for staff in rows]

from ninja import Schema


class OrgUnitOut(Schema):
    id: int
    code: str
    name: str
    level: str
    parent: int | None

    @staticmethod
    def resolve_parent(obj) -> int | None:
        return obj.parent_id


class StaffOut(Schema):
    id: int
    code: str
    name: str
    org_unit: int
    department: int | None
    department_kind: str | None
    title: str
    mobile: str
    email: str
    dingtalk_user_id: str
    wecom_user_id: str
    supervisor: int | None
    is_emergency_mobile: bool
    calendar_url: str | None = None  # the detail only, for the person and administrators

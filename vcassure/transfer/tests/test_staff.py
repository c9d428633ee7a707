from tests.factories.orgs import StaffFactory
from tests.factories.transfer import xlsx
from vcassure.accounts.models import Role
from vcassure.core.models import AuditEvent
from vcassure.orgs.models import Department, Staff
from vcassure.transfer.services import import_workbook


def errors_of(result) -> set[tuple[int, str, str]]:
    return {(e.row, e.column, e.message) for e in result.errors}


def row(
    code, name, unit, department="", supervisor="", mobile="13900000000", emergency="否", **extra
):
    return [
        code,
        name,
        unit,
        department,
        extra.get("title", ""),
        mobile,
        extra.get("email", ""),
        extra.get("dingtalk", ""),
        extra.get("wecom", ""),
        supervisor,
        emergency,
        extra.get("active", "是"),
    ]


def test_valid_import_creates_staff_departments_and_supervisors(tree):
    user = tree.user("province")
    data = xlsx(
        "staff",
        [
            row(
                "T001",
                "张三",
                "330101",
                "技术维护部",
                supervisor="T002",
                emergency="是",
                email="zhang@example.com",
                dingtalk="ding-1",
                wecom="wx-1",
                title="工程师",
            ),
            row("T002", "李四", "330101", "tech_maintenance"),
            row(
                "T003", "王五", "330101", "集团客户部", supervisor="T002"
            ),  # the county has no customer dept yet
            row("T004", "赵六", "330101001", "", supervisor="T001", mobile="139 0000 0001"),
        ],
    )
    result = import_workbook(kind="staff", user=user, data=data)
    assert result.ok, result.errors
    assert (result.created, result.updated) == (4, 0)
    zhang = Staff.objects.get(code="T001")
    assert zhang.org_unit == tree.counties[0]
    assert zhang.department.kind == Department.Kind.TECH_MAINTENANCE
    assert zhang.supervisor.code == "T002"
    assert zhang.is_emergency_mobile and zhang.is_active
    assert (zhang.email, zhang.dingtalk_user_id, zhang.wecom_user_id, zhang.title) == (
        "zhang@example.com",
        "ding-1",
        "wx-1",
        "工程师",
    )
    wang = Staff.objects.get(code="T003")
    assert (
        wang.department.kind == Department.Kind.CUSTOMER
        and wang.department.org_unit == tree.counties[0]
    )
    zhao = Staff.objects.get(code="T004")
    assert zhao.department is None and zhao.mobile == "13900000001"
    assert AuditEvent.objects.filter(action="transfer.import", changes__created=4).exists()


def test_invalid_rows_write_nothing_and_every_row_is_named(tree):
    user = tree.user("province")
    existing = StaffFactory(code="E001", org_unit=tree.counties[0], name="老员工")
    count = Staff.objects.count()
    data = xlsx(
        "staff",
        [
            row("E001", "改了名字", "330101"),  # row 2: valid, must not be written
            row("B001", "手机错", "330101", mobile="1234"),  # row 3
            row("B002", "邮箱错", "330101", email="not-an-email"),  # row 4
            row("B003", "重复甲", "330101"),  # row 5
            row("B003", "重复乙", "330101"),  # row 6
            row("B004", "无单元", "339999"),  # row 7
            row("B005", "部门错", "330101", department="财务部"),  # row 8
            row("B006", "层级不设", "330101", department="网络运行部"),  # row 9
            row("B007", "主管错", "330101", supervisor="NOBODY"),  # row 10
            row("B008", "标志错", "330101", emergency="也许"),  # row 11
            row("", "", "330101"),  # row 12
        ],
    )
    result = import_workbook(kind="staff", user=user, data=data)
    assert not result.ok
    assert Staff.objects.count() == count
    existing.refresh_from_db()
    assert existing.name == "老员工"
    assert not Department.objects.filter(org_unit=tree.counties[0], kind="network_ops").exists()
    errors = errors_of(result)
    assert (3, "手机", "手机号格式错误（应为 11 位数字，以 1 开头）") in errors
    assert (4, "邮箱", "邮箱格式错误") in errors
    assert (6, "工号", "重复的工号（与第 5 行相同）") in errors
    assert (7, "组织单元代码", "组织单元不存在") in errors
    assert any(r == 8 and c == "部门" and m.startswith("未知的部门类型") for r, c, m in errors)
    assert (9, "部门", "县(区)级单元不设网络运行部") in errors
    assert (10, "主管工号", "主管工号不存在或不在您的管辖范围内") in errors
    assert (11, "应急机动人员", "应为“是”或“否”") in errors
    assert (12, "工号", "必填") in errors and (12, "姓名", "必填") in errors
    assert {e.row for e in result.errors} == set(range(3, 13)) - {5}


def test_county_user_rows_outside_its_county_are_errors(tree):
    user = tree.user("county0")
    neighbour = StaffFactory(code="N001", org_unit=tree.counties[1])
    StaffFactory(code="N002", org_unit=tree.counties[1])
    data = xlsx(
        "staff",
        [
            row("C001", "本县", "330101001"),
            row("C002", "邻县", "330102"),
            row("N001", "改邻县人员", "330101"),
            row("C003", "主管在邻县", "330101", supervisor="N002"),
        ],
    )
    result = import_workbook(kind="staff", user=user, data=data)
    errors = errors_of(result)
    assert (3, "组织单元代码", "组织单元不在您的管辖范围内") in errors
    assert (4, "工号", "人员不在您的管辖范围内") in errors
    assert (5, "主管工号", "主管工号不存在或不在您的管辖范围内") in errors
    assert 2 not in {e.row for e in result.errors}
    neighbour.refresh_from_db()
    assert neighbour.org_unit == tree.counties[1]
    assert not Staff.objects.filter(code="C001").exists()


def test_county_staff_may_report_to_someone_at_the_city(tree):
    boss = StaffFactory(code="CITY1", org_unit=tree.cities[0])
    result = import_workbook(
        kind="staff",
        user=tree.user("county0"),
        data=xlsx(
            "staff",
            [
                row("C001", "本县", "330101", supervisor="CITY1"),
            ],
        ),
    )
    assert result.ok, result.errors
    assert Staff.objects.get(code="C001").supervisor == boss


def test_update_changes_only_what_differs(tree):
    person = StaffFactory(code="U001", org_unit=tree.counties[0], name="旧名", mobile="13800000009")
    result = import_workbook(
        kind="staff",
        user=tree.user("province"),
        data=xlsx(
            "staff",
            [
                row("U001", "新名", "330102", mobile="13800000009", email=person.email),
            ],
        ),
    )
    assert result.ok, result.errors
    assert (result.created, result.updated) == (0, 1)
    person.refresh_from_db()
    assert (person.name, person.org_unit) == ("新名", tree.counties[1])


def test_a_user_without_the_import_role_cannot_import(tree):
    import pytest
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        import_workbook(
            kind="staff",
            user=tree.user("county0", Role.MANAGER),
            data=xlsx(
                "staff",
                [
                    row("X001", "某人", "330101"),
                ],
            ),
        )
    assert not Staff.objects.filter(code="X001").exists()

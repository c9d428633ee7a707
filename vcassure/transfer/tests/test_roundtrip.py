import io

import openpyxl
import pytest
from django.forms.models import model_to_dict

from tests.factories.orgs import StaffFactory
from tests.factories.transfer import read_xlsx
from vcassure.accounts.models import Role
from vcassure.core.models import AuditEvent
from vcassure.orgs.models import Department, OrgUnit, Staff
from vcassure.transfer.services import export_workbook, import_workbook, template_workbook
from vcassure.venues.models import Venue


@pytest.fixture
def directory(tree, systems):
    """The tree plus supervisors, emergency staff, venues with staff, an inactive person."""
    county = tree.counties[0]
    boss = StaffFactory(code="BOSS", org_unit=tree.cities[0], name="市主管")
    for i, town in enumerate(tree.townships):
        person = StaffFactory(
            code=f"TW{i}", org_unit=town, supervisor=boss, dingtalk_user_id=f"d{i}"
        )
        Venue.objects.create(
            code=f"V{i}",
            name=f"{town.name}会场",
            system=systems["water"],
            org_unit=town,
            address="某路 1 号",
            primary_staff=person,
            backup_staff=boss if i % 2 else None,
        )
    StaffFactory(
        code="EM1",
        org_unit=county,
        is_emergency_mobile=True,
        is_active=False,
        title="应急",
        department=Department.objects.get(org_unit=county),
        name="=1+1",
    )
    Venue.objects.create(
        code="MAIN", name="省主会场", system=systems["finance"], org_unit=tree.province, role="main"
    )
    return tree


def snapshot() -> dict[str, list[dict]]:
    return {
        model.__name__: [
            model_to_dict(obj) | {"updated_at": obj.updated_at, "path": getattr(obj, "path", "")}
            for obj in model.objects.order_by("pk")
        ]
        for model in (OrgUnit, Department, Staff, Venue)
    }


@pytest.mark.parametrize("kind", ["org_units", "staff", "venues"])
@pytest.mark.parametrize("who", ["province", "county0"])
def test_an_exported_file_imports_back_unchanged(directory, kind, who):
    user = directory.user(who)
    data = export_workbook(kind=kind, user=user)
    rows = len(read_xlsx(data)) - 1
    assert rows > 0
    before = snapshot()
    result = import_workbook(kind=kind, user=user, data=data)
    assert result.ok, result.errors
    assert (result.created, result.updated, result.unchanged) == (0, 0, rows)
    assert snapshot() == before
    assert AuditEvent.objects.filter(action="transfer.import", changes__unchanged=rows).count() == 1


def test_round_trip_as_administrator(directory):
    admin = directory.user("province", Role.ADMIN)
    for kind in ("org_units", "staff", "venues"):
        result = import_workbook(kind=kind, user=admin, data=export_workbook(kind=kind, user=admin))
        assert result.ok and result.created == result.updated == 0, (kind, result.errors)


def test_county_export_contains_only_its_county(directory):
    user = directory.user("county0")
    county = directory.counties[0]
    units = read_xlsx(export_workbook(kind="org_units", user=user))
    assert units[0] == ["代码", "名称", "层级", "上级代码"]
    assert [row[0] for row in units[1:]] == ["330101", "330101001", "330101002"]
    assert units[1] == ["330101", county.name, "县(区)", "330100"]
    staff = read_xlsx(export_workbook(kind="staff", user=user))
    expected = set(
        Staff.objects.filter(org_unit__path__startswith=county.path).values_list("code", flat=True)
    )
    assert {row[0] for row in staff[1:]} == expected
    assert {row[2] for row in staff[1:]} <= {"330101", "330101001", "330101002"}
    venues = read_xlsx(export_workbook(kind="venues", user=user))
    assert {row[0] for row in venues[1:]} == {"V0", "V1"}


def test_export_header_order_and_labels(directory):
    staff = read_xlsx(export_workbook(kind="staff", user=directory.user("province")))
    assert staff[0] == [
        "工号",
        "姓名",
        "组织单元代码",
        "部门",
        "岗位",
        "手机",
        "邮箱",
        "钉钉用户ID",
        "企业微信用户ID",
        "主管工号",
        "应急机动人员",
        "在岗",
    ]
    em = next(row for row in staff if row[0] == "EM1")
    assert (em[3], em[10], em[11]) == ("技术维护部", "是", "否")
    venues = read_xlsx(export_workbook(kind="venues", user=directory.user("province")))
    assert venues[0][:5] == ["会场编码", "会场名称", "系统代码", "组织单元代码", "类型"]
    assert {row[4] for row in venues[1:]} == {"主会场", "分会场"}


def test_export_keeps_formula_like_text_as_text(directory):
    data = export_workbook(kind="staff", user=directory.user("province"))
    ws = openpyxl.load_workbook(io.BytesIO(data)).active
    cell = next(row[1] for row in ws.iter_rows() if row[0].value == "EM1")
    assert cell.value == "=1+1" and cell.data_type == "s"


def test_phone_numbers_are_masked_for_roles_that_do_not_need_them(directory):
    readonly = directory.user("province", Role.READONLY)
    staff = read_xlsx(export_workbook(kind="staff", user=readonly))
    assert all("****" in row[5] for row in staff[1:] if row[5])


def test_an_empty_template_has_just_the_header(db):
    rows = read_xlsx(template_workbook(kind="venues"))
    assert len(rows) == 1 and rows[0][0] == "会场编码"

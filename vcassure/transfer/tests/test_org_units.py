import pytest

from tests.factories.transfer import xlsx
from vcassure.core.models import AuditEvent
from vcassure.orgs.models import OrgUnit
from vcassure.transfer.services import import_workbook


def errors_of(result) -> set[tuple[int, str, str]]:
    return {(e.row, e.column, e.message) for e in result.errors}


def test_valid_import_creates_units_with_paths_children_before_parents(tree):
    user = tree.user("province")
    data = xlsx(
        "org_units",
        [
            ["330103001", "新县一镇", "乡镇(街道)", "330103"],  # its parent comes later in the file
            ["330103", "新县", "县(区)", "330100"],
            ["330101", "改名后的县", "county", "330100"],
            ["330102", "测试1市2县", "县(区)", "330100"],  # unchanged
        ],
    )
    result = import_workbook(kind="org_units", user=user, data=data)
    assert result.ok, result.errors
    assert (result.created, result.updated, result.unchanged) == (2, 1, 1)
    city = tree.cities[0]
    county = OrgUnit.objects.get(code="330103")
    town = OrgUnit.objects.get(code="330103001")
    assert county.parent == city and county.level == "county"
    assert county.path == f"{city.path}{county.pk}/"
    assert town.parent == county and town.path == f"{county.path}{town.pk}/"
    assert OrgUnit.objects.get(code="330101").name == "改名后的县"
    event = AuditEvent.objects.filter(action="transfer.import").get()
    assert event.changes["created"] == 2 and event.changes["updated"] == 1


def test_invalid_rows_write_nothing_and_every_row_is_named(tree):
    user = tree.user("province")
    before = list(OrgUnit.objects.values_list("code", "name", "path").order_by("code"))
    data = xlsx(
        "org_units",
        [
            ["330104", "好的县", "县(区)", "330100"],  # row 2 is fine, but must not be written
            ["33010X", "坏代码", "县(区)", "330100"],  # row 3
            ["330105", "无上级", "县(区)", "339900"],  # row 4
            ["330106001", "层级不对", "乡镇(街道)", "330100"],  # row 5: a township under a city
            ["330104", "重复", "县(区)", "330100"],  # row 6
            ["330107", "", "县级", "330100"],  # row 7: no name, unknown level
            ["330108", "省下的县", "县(区)", ""],  # row 8: no parent
        ],
    )
    result = import_workbook(kind="org_units", user=user, data=data)
    assert not result.ok
    assert (result.created, result.updated) == (0, 0)
    assert list(OrgUnit.objects.values_list("code", "name", "path").order_by("code")) == before
    assert not AuditEvent.objects.filter(action="transfer.import").exists()
    errors = errors_of(result)
    assert (3, "代码", "代码格式错误（县(区)级代码应为 6 位数字）") in errors
    assert (4, "上级代码", "上级单元不存在") in errors
    assert (5, "上级代码", "层级不正确：乡镇(街道)级单元的上级应为县(区)级") in errors
    assert (6, "代码", "重复的代码（与第 2 行相同）") in errors
    assert (7, "名称", "必填") in errors
    assert any(
        row == 7 and column == "层级" and "层级不正确" in message for row, column, message in errors
    )
    assert (8, "上级代码", "必填") in errors
    assert 2 not in {e.row for e in result.errors}
    assert [e.row for e in result.errors] == sorted(e.row for e in result.errors)


def test_county_user_gets_row_error_for_another_county(tree):
    user = tree.user("county0")  # counties[0] = 330101
    data = xlsx(
        "org_units",
        [
            ["330101003", "本县新镇", "乡镇(街道)", "330101"],
            ["330102003", "邻县新镇", "乡镇(街道)", "330102"],
            ["330102001", "改邻县的镇", "乡镇(街道)", "330102"],
            ["330199", "新县", "县(区)", "330100"],
        ],
    )
    result = import_workbook(kind="org_units", user=user, data=data)
    errors = errors_of(result)
    assert (3, "上级代码", "上级单元不在您的管辖范围内") in errors
    assert (4, "代码", "组织单元不在您的管辖范围内") in errors
    assert (5, "上级代码", "上级单元不在您的管辖范围内") in errors
    assert 2 not in {e.row for e in result.errors}
    assert not OrgUnit.objects.filter(code="330101003").exists()


def test_county_user_may_add_townships_but_not_move_its_county(tree):
    user = tree.user("county0")
    ok = import_workbook(
        kind="org_units",
        user=user,
        data=xlsx(
            "org_units",
            [
                ["330101003", "本县新镇", "乡镇(街道)", "330101"],
            ],
        ),
    )
    assert ok.ok and ok.created == 1
    assert OrgUnit.objects.get(code="330101003").path.startswith(tree.counties[0].path)
    moved = import_workbook(
        kind="org_units",
        user=user,
        data=xlsx(
            "org_units",
            [
                ["330101", "测试1市1县", "县(区)", "330200"],
            ],
        ),
    )
    assert errors_of(moved) == {(2, "上级代码", "上级单元不在您的管辖范围内")}
    assert OrgUnit.objects.get(code="330101").parent == tree.cities[0]


def test_moving_a_county_rewrites_its_subtree_paths(tree):
    user = tree.user("province")
    county = tree.counties[0]
    result = import_workbook(
        kind="org_units",
        user=user,
        data=xlsx(
            "org_units",
            [
                ["330101", county.name, "县(区)", "330200"],
                ["330101009", "搬迁后新建的镇", "乡镇(街道)", "330101"],
            ],
        ),
    )
    assert result.ok, result.errors
    county.refresh_from_db()
    new_city = tree.cities[1]
    assert county.path == f"{new_city.path}{county.pk}/"
    for town in OrgUnit.objects.filter(parent=county):
        assert town.path == f"{county.path}{town.pk}/"
    assert OrgUnit.objects.filter(parent=county).count() == 3


def test_level_of_a_unit_with_children_cannot_change(tree):
    result = import_workbook(
        kind="org_units",
        user=tree.user("province"),
        data=xlsx(
            "org_units",
            [
                ["330101", "测试1市1县", "市", "330000"],
            ],
        ),
    )
    assert (2, "层级", "已有下级单元，不能更改层级") in errors_of(result)


def test_only_an_administrator_creates_a_province(tree):
    data = xlsx("org_units", [["340000", "新省", "省", ""]])
    refused = import_workbook(kind="org_units", user=tree.user("province"), data=data)
    assert errors_of(refused) == {(2, "代码", "组织单元不在您的管辖范围内")}
    from vcassure.accounts.models import Role

    admin = tree.user("province", Role.ADMIN)
    created = import_workbook(kind="org_units", user=admin, data=data)
    assert created.ok and created.created == 1
    province = OrgUnit.objects.get(code="340000")
    assert province.path == f"/{province.pk}/"


@pytest.mark.parametrize("level_cell", ["乡镇(街道)", "township", "TOWNSHIP"])
def test_level_is_accepted_as_label_or_code(tree, level_cell):
    result = import_workbook(
        kind="org_units",
        user=tree.user("province"),
        data=xlsx(
            "org_units",
            [
                ["330101005", "镇", level_cell, "330101"],
            ],
        ),
    )
    assert result.ok, result.errors


def test_numeric_cells_are_read_as_codes(tree):
    result = import_workbook(
        kind="org_units",
        user=tree.user("province"),
        data=xlsx(
            "org_units",
            [
                [330101005, "数字代码的镇", "乡镇(街道)", 330101],
            ],
        ),
    )
    assert result.ok, result.errors
    assert OrgUnit.objects.get(code="330101005").parent == tree.counties[0]

from tests.factories.orgs import StaffFactory
from tests.factories.transfer import xlsx
from vcassure.transfer.services import import_workbook
from vcassure.venues.models import Venue


def errors_of(result) -> set[tuple[int, str, str]]:
    return {(e.row, e.column, e.message) for e in result.errors}


def test_valid_import_creates_and_updates_venues(tree, systems):
    primary = StaffFactory(code="P001", org_unit=tree.townships[0])
    backup = StaffFactory(code="P002", org_unit=tree.counties[0])
    Venue.objects.create(
        code="V-OLD", name="旧会场", system=systems["water"], org_unit=tree.counties[0]
    )
    data = xlsx(
        "venues",
        [
            [
                "V-001",
                "一镇水利分会场",
                "water",
                "330101001",
                "分会场",
                "一镇政府三楼",
                "301",
                "P001",
                "P002",
                "是",
            ],
            ["V-002", "省财政主会场", "FINANCE", "330000", "主会场", "", "", "", "", ""],
            ["V-OLD", "旧会场改名", "water", "330101", "branch", "", "", "", "P001", "否"],
        ],
    )
    result = import_workbook(kind="venues", user=tree.user("province"), data=data)
    assert result.ok, result.errors
    assert (result.created, result.updated) == (2, 1)
    venue = Venue.objects.get(code="V-001")
    assert (venue.system, venue.org_unit, venue.role) == (
        systems["water"],
        tree.townships[0],
        "branch",
    )
    assert (venue.primary_staff, venue.backup_staff, venue.address, venue.room) == (
        primary,
        backup,
        "一镇政府三楼",
        "301",
    )
    main = Venue.objects.get(code="V-002")
    assert main.role == "main" and main.system == systems["finance"] and main.is_active
    old = Venue.objects.get(code="V-OLD")
    assert (old.name, old.backup_staff, old.is_active) == ("旧会场改名", primary, False)


def test_invalid_rows_write_nothing_and_every_row_is_named(tree, systems):
    StaffFactory(code="FAR", org_unit=tree.counties[3])
    data = xlsx(
        "venues",
        [
            ["V-001", "好会场", "water", "330101", "分会场", "", "", "", "", "是"],  # row 2 fine
            ["V-002", "坏系统", "railway", "330101", "分会场", "", "", "", "", "是"],  # row 3
            ["V-003", "坏类型", "water", "330101", "副会场", "", "", "", "", "是"],  # row 4
            ["V-004", "无人员", "water", "330101", "分会场", "", "", "NOBODY", "", "是"],  # row 5
            ["V-001", "重复", "water", "330101", "分会场", "", "", "", "", "是"],  # row 6
            ["V-005", "无单元", "water", "", "分会场", "", "", "", "", "是"],  # row 7
        ],
    )
    result = import_workbook(kind="venues", user=tree.user("county0"), data=data)
    assert not result.ok
    assert not Venue.objects.exists()
    errors = errors_of(result)
    assert (3, "系统代码", "未知的系统") in errors
    assert (4, "类型", "类型不正确（应为 主会场、分会场）") in errors
    assert (5, "主保障人员工号", "工号不存在或不在您的管辖范围内") in errors
    assert (6, "会场编码", "重复的会场编码（与第 2 行相同）") in errors
    assert (7, "组织单元代码", "必填") in errors
    assert {e.row for e in result.errors} == {3, 4, 5, 6, 7}


def test_county_user_cannot_place_or_change_venues_outside_its_county(tree, systems):
    Venue.objects.create(
        code="V-FAR", name="邻县会场", system=systems["government"], org_unit=tree.counties[1]
    )
    StaffFactory(code="FAR", org_unit=tree.counties[3])
    data = xlsx(
        "venues",
        [
            ["V-001", "邻县新会场", "government", "330102", "分会场", "", "", "", "", "是"],
            ["V-FAR", "改名", "government", "330101", "分会场", "", "", "", "", "是"],
            ["V-002", "本县会场", "government", "330101", "分会场", "", "", "FAR", "", "是"],
        ],
    )
    result = import_workbook(kind="venues", user=tree.user("county0"), data=data)
    assert errors_of(result) == {
        (2, "组织单元代码", "组织单元不在您的管辖范围内"),
        (3, "会场编码", "会场不在您的管辖范围内"),
        (4, "主保障人员工号", "工号不存在或不在您的管辖范围内"),
    }
    assert Venue.objects.get(code="V-FAR").name == "邻县会场"

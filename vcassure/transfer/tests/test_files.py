import pytest

from tests.factories.transfer import xlsx
from vcassure.orgs.models import OrgUnit
from vcassure.transfer.services import ImportFileError, import_workbook, template_workbook
from vcassure.transfer.services.workbook import MAX_UPLOAD_BYTES


def test_a_file_that_is_not_xlsx_is_a_clear_error(tree):
    with pytest.raises(ImportFileError, match="请上传 Excel 工作簿"):
        import_workbook(kind="staff", user=tree.user("province"), data=b"code,name\n1,2\n")


def test_a_corrupt_xlsx_is_a_clear_error(tree):
    data = xlsx("staff", [["A", "B"]])
    with pytest.raises(ImportFileError, match="无法读取文件"):
        import_workbook(kind="staff", user=tree.user("province"), data=data[: len(data) // 2])


def test_an_oversized_file_is_a_clear_error(tree):
    with pytest.raises(ImportFileError, match="5 MB"):
        import_workbook(
            kind="staff", user=tree.user("province"), data=b"0" * (MAX_UPLOAD_BYTES + 1)
        )


def test_a_wrong_header_names_the_expected_columns(tree):
    data = xlsx("org_units", [["330101005", "镇", "乡镇(街道)"]], headers=["代码", "名字", "层级"])
    with pytest.raises(ImportFileError) as exc:
        import_workbook(kind="org_units", user=tree.user("province"), data=data)
    message = exc.value.message
    assert "缺少列：名称、上级代码" in message and "名字" in message
    assert "代码、名称、层级、上级代码" in message


def test_an_empty_sheet_is_a_clear_error(tree):
    with pytest.raises(ImportFileError, match="工作表为空.*代码、名称、层级、上级代码"):
        import_workbook(
            kind="org_units", user=tree.user("province"), data=xlsx("org_units", [], headers=[])
        )


def test_a_header_without_rows_is_a_clear_error(tree):
    with pytest.raises(ImportFileError, match="没有数据行"):
        import_workbook(
            kind="org_units", user=tree.user("province"), data=template_workbook(kind="org_units")
        )


def test_columns_may_come_in_any_order_and_blank_rows_are_skipped(tree):
    data = xlsx(
        "org_units",
        [
            ["330101", "乡镇(街道)", "330101007", "顺序不同的镇"],
            [None, None, None, None],
            ["330101", "乡镇(街道)", "330101008", "空行之后的镇"],
        ],
        headers=["上级代码", "层级", "代码", "名称"],
    )
    result = import_workbook(kind="org_units", user=tree.user("province"), data=data)
    assert result.ok and result.created == 2
    assert OrgUnit.objects.filter(code__in=["330101007", "330101008"]).count() == 2


def test_row_numbers_are_as_excel_shows_them_after_blank_rows(tree):
    data = xlsx("org_units", [[None] * 4, [None] * 4, ["bad", "名", "县(区)", "330100"]])
    result = import_workbook(kind="org_units", user=tree.user("province"), data=data)
    assert [(e.row, e.column) for e in result.errors] == [(4, "代码")]

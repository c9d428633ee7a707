"""manage.py import_* / export_*: the pages' row checks from the command line; a bad file exits
non-zero, names each row and column, and writes nothing."""

import io

import pytest
from django.core.management import CommandError, call_command

from tests.factories.transfer import read_xlsx, xlsx
from vcassure.orgs.models import OrgUnit, Staff
from vcassure.venues.models import Venue

ADMIN = "province-admin"  # the tree's province administrator


def _run(*argv: str) -> tuple[int, str, str]:
    """The command as manage.py runs it: its exit status (a CommandError's returncode, which
    run_from_argv passes to sys.exit), stdout, and stderr with the CommandError's message last.
    call_command, not execute_from_command_line: the latter closes the test's connection."""
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command(*argv, stdout=out, stderr=err)
        code = 0
    except CommandError as exc:
        code = exc.returncode
        err.write(f"CommandError: {exc}\n")
    return code, out.getvalue(), err.getvalue()


def test_a_bad_file_exits_non_zero_names_every_cell_and_writes_nothing(tree, tmp_path):
    before = list(OrgUnit.objects.values_list("code", "name", "path").order_by("code"))
    path = tmp_path / "units.xlsx"
    path.write_bytes(
        xlsx(
            "org_units",
            [
                ["330104", "好的县", "县(区)", "330100"],  # valid, but must not be written
                ["33010X", "坏代码", "县(区)", "330100"],
                ["330105", "无上级", "县(区)", "339900"],
            ],
        )
    )
    code, out, err = _run("import_org_units", str(path), "--user", ADMIN)
    assert code == 1
    assert "第 3 行，“代码”列：代码格式错误" in err
    assert "第 4 行，“上级代码”列：上级单元不存在" in err
    assert "2 处错误，没有写入任何数据" in err
    assert "第 2 行" not in err
    assert list(OrgUnit.objects.values_list("code", "name", "path").order_by("code")) == before


def test_a_good_file_is_imported(tree, tmp_path):
    path = tmp_path / "units.xlsx"
    path.write_bytes(
        xlsx(
            "org_units",
            [
                ["330103", "新县", "县(区)", "330100"],
                ["330103001", "新县一镇", "乡镇(街道)", "330103"],
            ],
        )
    )
    code, out, err = _run("import_org_units", str(path), "--user", ADMIN)
    assert (code, err) == (0, "")
    assert "新增 2" in out
    assert OrgUnit.objects.get(code="330103001").parent.code == "330103"


def test_a_file_that_is_not_a_workbook_or_missing(tree, tmp_path):
    path = tmp_path / "units.xlsx"
    path.write_bytes(b"not a spreadsheet")
    code, _out, err = _run("import_staff", str(path), "--user", ADMIN)
    assert code == 1 and err.strip()
    code, _out, err = _run("import_venues", str(tmp_path / "none.xlsx"), "--user", ADMIN)
    assert code == 1 and "无法读取文件" in err


def test_a_login_without_the_import_role_is_refused(tree, tmp_path):
    path = tmp_path / "units.xlsx"
    path.write_bytes(xlsx("org_units", [["330103", "新县", "县(区)", "330100"]]))
    code, _out, err = _run("import_org_units", str(path), "--user", "province-readonly")
    assert code == 1 and "无权导入" in err
    assert not OrgUnit.objects.filter(code="330103").exists()


@pytest.mark.parametrize("kind", ["org_units", "staff", "venues"])
def test_export_then_import_round_trips(province, systems, tmp_path, kind):
    path = tmp_path / f"{kind}.xlsx"
    call_command(f"export_{kind}", str(path), "--user", ADMIN)
    rows = read_xlsx(path.read_bytes())
    model = {"org_units": OrgUnit, "staff": Staff, "venues": Venue}[kind]
    assert len(rows) - 1 == model.objects.count()
    code, out, err = _run(f"import_{kind}", str(path), "--user", ADMIN)
    assert (code, err) == (0, ""), err
    assert f"未变 {len(rows) - 1}" in out

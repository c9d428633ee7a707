from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.factories.transfer import read_xlsx, xlsx
from vcassure.accounts.models import Role
from vcassure.orgs.models import OrgUnit, Staff
from vcassure.transfer.services import MAX_UPLOAD_BYTES

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def upload(client, kind: str, data: bytes, name: str = "file.xlsx"):
    return client.post(
        reverse("transfer:import", args=[kind]), {"file": SimpleUploadedFile(name, data, XLSX)}
    )


def test_index_lists_the_three_kinds_with_export_template_and_upload(client, tree):
    client.force_login(tree.user("province"))
    response = client.get(reverse("transfer:index"))
    assert response.status_code == 200
    page = response.content.decode()
    for text in ("导入导出", "组织单元", "人员", "会场", "导出", "下载空白模板", "不写入任何数据"):
        assert text in page
    for kind in ("org_units", "staff", "venues"):
        assert reverse("transfer:export", args=[kind]) in page
        assert reverse("transfer:template", args=[kind]) in page
        assert reverse("transfer:import", args=[kind]) in page
    assert 'enctype="multipart/form-data"' in page and "csrfmiddlewaretoken" in page


def test_index_hides_the_upload_forms_from_users_who_cannot_import(client, tree):
    client.force_login(tree.user("county0", Role.MANAGER))
    response = client.get(reverse("transfer:index"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "只能导出" in page
    assert reverse("transfer:import", args=["staff"]) not in page


def test_pages_require_login(client, db):
    for url in (reverse("transfer:index"), reverse("transfer:export", args=["staff"])):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_export_and_template_download_xlsx(client, tree):
    client.force_login(tree.user("county0"))
    response = client.get(reverse("transfer:export", args=["org_units"]))
    assert response.status_code == 200 and response["Content-Type"] == XLSX
    assert "attachment" in response["Content-Disposition"]
    assert [row[0] for row in read_xlsx(response.content)[1:]] == [
        "330101",
        "330101001",
        "330101002",
    ]
    template = client.get(reverse("transfer:template", args=["staff"]))
    assert template.status_code == 200 and len(read_xlsx(template.content)) == 1


def test_unknown_kind_is_404(client, tree):
    client.force_login(tree.user("province"))
    assert client.get(reverse("transfer:export", args=["meetings"])).status_code == 404
    assert upload(client, "meetings", xlsx("staff", [])).status_code == 404


def test_upload_end_to_end_success(client, tree):
    client.force_login(tree.user("county0"))
    data = xlsx("org_units", [["330101003", "网页导入的镇", "乡镇(街道)", "330101"]])
    response = upload(client, "org_units", data)
    assert response.status_code == 200
    page = response.content.decode()
    assert "导入成功" in page and "新建" in page
    unit = OrgUnit.objects.get(code="330101003")
    assert unit.path == f"{tree.counties[0].path}{unit.pk}/"


def test_upload_through_the_form_with_csrf_enforced(tree):
    import re

    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(tree.user("province"))
    page = client.get(reverse("transfer:index")).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    data = xlsx(
        "staff", [["F001", "表单导入", "330101", "技术维护部", "", "", "", "", "", "", "否", "是"]]
    )
    url = reverse("transfer:import", args=["staff"])
    refused = client.post(url, {"file": SimpleUploadedFile("s.xlsx", data, XLSX)})
    assert refused.status_code == 403
    response = client.post(
        url, {"file": SimpleUploadedFile("s.xlsx", data, XLSX), "csrfmiddlewaretoken": token}
    )
    assert response.status_code == 200 and "导入成功" in response.content.decode()
    assert Staff.objects.get(code="F001").department.kind == "tech_maintenance"


def test_upload_end_to_end_row_errors_are_listed_and_nothing_is_written(client, tree):
    client.force_login(tree.user("county0"))
    count = Staff.objects.count()
    data = xlsx(
        "staff",
        [
            ["W001", "好人", "330101", "", "", "13900000000", "", "", "", "", "否", "是"],
            ["W002", "坏手机", "330101", "", "", "12345", "", "", "", "", "否", "是"],
            ["W003", "邻县", "330102", "", "", "", "", "", "", "", "否", "是"],
        ],
    )
    response = upload(client, "staff", data)
    assert response.status_code == 400
    page = response.content.decode()
    assert "没有写入任何数据" in page
    for text in (
        "行",
        "列",
        "原因",
        "手机号格式错误",
        "组织单元不在您的管辖范围内",
        "<td>3</td>",
        "<td>4</td>",
    ):
        assert text in page
    assert Staff.objects.count() == count


def test_upload_of_a_non_xlsx_file_is_a_clear_error(client, tree):
    client.force_login(tree.user("province"))
    response = upload(client, "venues", b"%PDF-1.4 not a workbook", name="notice.pdf")
    assert response.status_code == 400
    page = response.content.decode()
    assert "请上传 Excel 工作簿" in page and "没有写入任何数据" in page


def test_upload_of_an_oversized_file_is_a_clear_error(client, tree):
    client.force_login(tree.user("province"))
    response = upload(client, "staff", b"0" * (MAX_UPLOAD_BYTES + 1))
    assert response.status_code == 400
    assert "文件超过 5 MB 上限" in response.content.decode()


def test_upload_without_a_file_is_a_clear_error(client, tree):
    client.force_login(tree.user("province"))
    response = client.post(reverse("transfer:import", args=["staff"]), {})
    assert response.status_code == 400
    assert "请选择要导入的 Excel 文件" in response.content.decode()


def test_a_user_without_the_import_role_gets_403(client, tree):
    client.force_login(tree.user("county0", Role.MANAGER))
    data = xlsx("org_units", [["330101003", "不该出现的镇", "乡镇(街道)", "330101"]])
    assert upload(client, "org_units", data).status_code == 403
    assert not OrgUnit.objects.filter(code="330101003").exists()


def test_import_accepts_only_post(client, tree):
    client.force_login(tree.user("province"))
    assert client.get(reverse("transfer:import", args=["staff"])).status_code == 405

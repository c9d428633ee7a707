"""The meeting report on a hand-built meeting whose numbers are known: the same numbers in the
page, the JSON, the Excel cells and the PDF text; scope; constant queries."""

from io import BytesIO

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from tests.factories.reports import EXPECTED
from vcassure.accounts.models import Role

pytestmark = pytest.mark.django_db


def test_json_has_the_known_numbers(built, province, api_client_for):
    client = api_client_for(province.user("province"))
    response = client.get(f"/api/meetings/{built.meeting.pk}/report")
    assert response.status_code == 200, response.content
    data = response.json()
    for key, value in EXPECTED.items():
        assert data[key] == value, key
    im = next(c for c in data["by_channel"] if c["channel_class"] == "im")
    assert (im["answered_on_time"], im["answered_late"], im["unanswered"]) == (3, 1, 1)
    city = next(u for u in data["by_unit"] if u["org_unit"] == province.cities[0].pk)
    assert (city["venues"], city["acknowledged_on_time"], city["unanswered"]) == (4, 2, 1)
    county1 = next(u for u in data["by_unit"] if u["org_unit"] == province.counties[1].pk)
    assert (county1["ready_late"], county1["not_ready"], county1["faults"]) == (1, 1, 1)
    assert data["fault_list"][0]["ack_minutes"] == 8.0
    assert data["fault_list"][0]["restore_minutes"] == 30.0
    assert data["milestones"]["all_acknowledged_at"] is None  # one venue never answered


def test_page_shows_the_known_numbers(built, province, client):
    client.force_login(province.user("province"))
    response = client.get(f"/reports/meetings/{built.meeting.pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    for element, value in [
        ("n-venues", 5),
        ("n-ack-on-time", 3),
        ("n-ack-late", 1),
        ("n-unanswered", 1),
        ("n-ready-before", 3),
        ("n-ready-late", 1),
        ("n-not-ready", 1),
        ("n-faults", 1),
        ("n-mtta", "8.0"),
        ("n-mttr", "30.0"),
    ]:
        assert f'id="{element}">{value}<' in html, element
    assert "乡镇会场视频终端无法入会" in html


def test_excel_cells_hold_the_known_numbers(built, province, api_client_for):
    client = api_client_for(province.user("province"))
    response = client.get(f"/api/meetings/{built.meeting.pk}/report?format=xlsx")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(BytesIO(response.content))
    assert book.sheetnames == ["汇总", "会场明细", "单位统计", "故障"]
    summary = {row[0]: row[1] for row in book["汇总"].iter_rows(min_row=2, values_only=True)}
    assert summary["会场数"] == 5
    assert summary["按时确认"] == 3
    assert summary["超时确认"] == 1
    assert summary["未确认"] == 1
    assert summary["开会前就绪"] == 3
    assert summary["开会后就绪"] == 1
    assert summary["未就绪"] == 1
    assert summary["故障数"] == 1
    assert summary["平均响应时长(分钟)"] == 8.0
    assert summary["平均修复时长(分钟)"] == 30.0
    venues = list(book["会场明细"].iter_rows(min_row=2, values_only=True))
    assert len(venues) == 5
    faults = list(book["故障"].iter_rows(min_row=2, values_only=True))
    assert faults[0][8:10] == (8.0, 30.0)


def test_pdf_text_has_the_chinese_and_the_numbers(built, province, client):
    client.force_login(province.user("province"))
    response = client.get(f"/reports/meetings/{built.meeting.pk}/?format=pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = "".join(p.extract_text() for p in PdfReader(BytesIO(response.content)).pages)
    compact = text.replace(" ", "").replace("\n", "")
    assert "会议报告" in compact
    assert "防汛会商(报告)" in compact
    assert "乡镇会场视频终端无法入会" in compact
    assert "按时确认3" in compact
    assert "超时确认1" in compact
    assert "未确认1" in compact
    assert "开会后就绪1" in compact
    assert "平均响应时长(分钟)8.0" in compact
    assert "平均修复时长(分钟)30.0" in compact


def test_a_county_sees_only_its_units_rows(built, province, api_client_for):
    county1 = province.user("county1")
    data = api_client_for(county1).get(f"/api/meetings/{built.meeting.pk}/report").json()
    assert data["venues"] == 2  # townships 2 and 3
    assert {u["org_unit"] for u in data["by_unit"]} == {province.counties[1].pk}
    assert (data["unanswered"], data["ready_late"], data["faults"]) == (1, 1, 1)


def test_another_countys_meeting_report_is_a_404(built, province, api_client_for, client):
    # county 2 (city 1) has no venue in the meeting
    outsider = province.user("county2")
    response = api_client_for(outsider).get(f"/api/meetings/{built.meeting.pk}/report")
    assert response.status_code == 404
    assert (
        api_client_for(outsider)
        .get(f"/api/meetings/{built.meeting.pk}/report?format=xlsx")
        .status_code
        == 404
    )
    client.force_login(outsider)
    assert client.get(f"/reports/meetings/{built.meeting.pk}/").status_code == 404


def test_readonly_role_in_scope_reads_the_report(built, province, api_client_for):
    reader = province.user("province", Role.READONLY)
    assert api_client_for(reader).get(f"/api/meetings/{built.meeting.pk}/report").status_code == 200

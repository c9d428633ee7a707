"""Monthly KPIs on a known month: the hand-built meeting's venues per city and county, ranked,
with the trend, the Excel export, the chart and the scope."""

from io import BytesIO

import pytest
from django.utils import timezone
from openpyxl import load_workbook
from pypdf import PdfReader

from tests.factories.routine import inspections_on
from vcassure.routine.models import Inspection

pytestmark = pytest.mark.django_db


def _month(built) -> str:
    return timezone.localtime(built.start).strftime("%Y-%m")


def test_city_kpis_of_a_known_month(built, province, api_client_for):
    client = api_client_for(province.user("province"))
    response = client.get(f"/api/reports/kpis?month={_month(built)}&level=city")
    assert response.status_code == 200, response.content
    data = response.json()
    rows = {r["org_unit"]: r for r in data["items"]}
    city0 = rows[province.cities[0].pk]
    assert city0 == {
        "org_unit": province.cities[0].pk,
        "name": province.cities[0].name,
        "meetings": 1,
        "venue_tasks": 4,
        "ack_on_time_rate": 50.0,
        "ready_before_start_rate": 50.0,
        "faults": 1,
        "faults_per_100": 25.0,
        "mtta_minutes": 8.0,
        "mttr_minutes": 30.0,
        "inspections_done_rate": None,
        "rank": 1,
    }
    assert rows[province.cities[1].pk]["venue_tasks"] == 0
    assert rows[province.cities[1].pk]["rank"] is None
    assert data["trend"][-1]["month"] == _month(built)
    assert data["trend"][-1]["venue_tasks"] == 5  # the main venue counts for the province
    assert len(data["trend"]) == 12


def test_county_ranking(built, province, api_client_for):
    data = (
        api_client_for(province.user("province"))
        .get(f"/api/reports/kpis?month={_month(built)}&level=county")
        .json()
    )
    ranked = [r["org_unit"] for r in data["items"] if r["rank"]]
    assert ranked == [province.counties[0].pk, province.counties[1].pk]
    county1 = data["items"][1]
    assert (county1["ready_before_start_rate"], county1["faults"]) == (0.0, 1)


def test_a_county_sees_only_itself(built, province, api_client_for):
    data = (
        api_client_for(province.user("county1"))
        .get(f"/api/reports/kpis?month={_month(built)}&level=county")
        .json()
    )
    assert [r["org_unit"] for r in data["items"]] == [province.counties[1].pk]
    assert data["trend"][-1]["venue_tasks"] == 2


def test_bad_month_is_a_422(province, api_client_for):
    client = api_client_for(province.user("province"))
    assert client.get("/api/reports/kpis?month=2026-13").status_code == 422
    assert client.get("/api/reports/kpis?month=abc").status_code == 422
    assert client.get("/api/reports/kpis?level=township").status_code == 422


def test_kpi_page_excel_and_chart(built, province, client):
    client.force_login(province.user("province"))
    month = _month(built)
    page = client.get(f"/reports/kpis/?month={month}&level=county")
    assert page.status_code == 200
    html = page.content.decode()
    assert province.counties[0].name in html and "/reports/kpis/charts/rates.svg" in html
    xlsx = client.get(f"/reports/kpis/?month={month}&level=county&format=xlsx")
    book = load_workbook(BytesIO(xlsx.content))
    header, first = list(book["月度通报"].iter_rows(max_row=2, values_only=True))
    assert header[:5] == ("排名", "单位", "会议数", "会场任务数", "按时确认率(%)")
    assert first[:6] == (1, province.counties[0].name, 1, 2, 50.0, 100.0)
    chart = client.get(f"/reports/kpis/charts/rates.svg?month={month}&level=city")
    assert chart.status_code == 200 and chart["Content-Type"].startswith("image/svg+xml")
    svg = chart.content.decode()
    assert "<svg" in svg and "<script" not in svg and "http://kozea" not in svg
    pdf = client.get(f"/reports/kpis/?month={month}&level=city&format=pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


def test_an_empty_month_still_has_its_files(province, client):
    client.force_login(province.user("province"))
    for fmt in ("pdf", "xlsx"):
        response = client.get(f"/reports/kpis/?month=2020-01&level=city&format={fmt}")
        assert response.status_code == 200, fmt
    chart = client.get("/reports/kpis/charts/repair.svg?month=2020-01&level=city")
    assert chart.status_code == 200


def test_inspections_done_rate_of_a_known_month(built, province, api_client_for, client):
    """Routine's completion per unit fills the KPI in the JSON, the page, the Excel and the PDF:
    of city 0's four inspections that month one is done, one cancelled (not counted)."""
    day = timezone.localtime(built.start).date()
    inspections_on(province, day)
    city0 = province.cities[0]
    mine = list(
        Inspection.objects.filter(scheduled_on=day, org_unit__path__contains=f"/{city0.pk}/")
    )
    assert len(mine) == 4
    Inspection.objects.filter(pk=mine[0].pk).update(state=Inspection.State.DONE)
    Inspection.objects.filter(pk=mine[1].pk).update(state=Inspection.State.CANCELLED)

    month = _month(built)
    data = (
        api_client_for(province.user("province"))
        .get(f"/api/reports/kpis?month={month}&level=city")
        .json()
    )
    rows = {r["org_unit"]: r for r in data["items"]}
    assert rows[city0.pk]["inspections_done_rate"] == 33.3  # 1 of 3
    assert rows[province.cities[1].pk]["inspections_done_rate"] == 0.0  # 0 of 4
    assert data["trend"][-1]["inspections_done_rate"] == 14.3  # 1 of 7
    assert data["trend"][0]["inspections_done_rate"] is None  # no inspection then

    client.force_login(province.user("province"))
    page = client.get(f"/reports/kpis/?month={month}&level=city").content.decode()
    assert "33.3%" in page
    xlsx = client.get(f"/reports/kpis/?month={month}&level=city&format=xlsx")
    sheet = load_workbook(BytesIO(xlsx.content))["月度通报"]
    header, *body = list(sheet.iter_rows(values_only=True))
    assert header[-1] == "巡检完成率(%)"
    assert {r[1]: r[-1] for r in body}[city0.name] == 33.3
    pdf = client.get(f"/reports/kpis/?month={month}&level=city&format=pdf")
    text = "".join(p.extract_text() for p in PdfReader(BytesIO(pdf.content)).pages)
    assert "33.3%" in text.replace(" ", "")

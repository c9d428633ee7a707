"""A dispatcher closes a meeting, opens its report and downloads both files; the close, report
and KPI pages at desk and phone width (screenshots under docs/screenshots/ when asked)."""

import os
from datetime import timedelta
from pathlib import Path

import pytest
import time_machine

from tests.browser.helpers import login
from tests.factories.reports import hand_built_meeting
from vcassure.core import clock

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = Path(os.environ.get("SCREENSHOTS_DIR", "")) if os.environ.get("SCREENSHOTS_DIR") else None


def _shot(page, name: str) -> None:
    if SHOTS is not None:
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=False)


def test_close_a_meeting_open_its_report_and_download_both(browser, province, live_server):
    start = (clock.localnow() + timedelta(days=2)).replace(
        hour=9, minute=0, second=0, microsecond=0
    )
    built = hand_built_meeting(province, start)
    meeting = built.meeting
    with time_machine.travel(built.end + timedelta(hours=1), tick=True):
        for size, viewport in (("desktop", (1440, 900)), ("phone", (360, 740))):
            context = browser.new_context(
                viewport={"width": viewport[0], "height": viewport[1]},
                locale="zh-CN",
                accept_downloads=True,
            )
            page = context.new_page()
            page.set_default_timeout(20_000)
            login(page, live_server, "province-dispatcher")
            page.goto(f"{live_server.url}/meetings/{meeting.pk}/close/")
            assert "未记录关机的会场 2 个" in page.inner_text("#open-items")
            _shot(page, f"close-{size}")
            if size == "desktop":
                page.fill("#id_note", "会议结束，遗留问题另行处理")
                page.check("#id_force")
                page.click("#close-form button[type=submit]")
                page.wait_for_url(f"{live_server.url}/reports/meetings/{meeting.pk}/")
                assert "已关闭" in page.inner_text("h1")
                assert page.inner_text("#n-unanswered") == "1"
                assert "会议结束，遗留问题另行处理" in page.inner_text("#signed-off")
                with page.expect_download() as xlsx:
                    page.click("#download-xlsx")
                assert xlsx.value.suggested_filename.endswith(".xlsx")
                with page.expect_download() as pdf:
                    page.click("#download-pdf")
                assert pdf.value.suggested_filename.endswith(".pdf")
                assert Path(pdf.value.path()).read_bytes().startswith(b"%PDF")
            else:
                page.goto(f"{live_server.url}/reports/meetings/{meeting.pk}/")
            _shot(page, f"report-{size}")
            month = start.strftime("%Y-%m")
            page.goto(f"{live_server.url}/reports/kpis/?month={month}&level=county")
            page.wait_for_selector("#kpi-table")
            assert province.counties[0].name in page.inner_text("#kpi-table")
            _shot(page, f"kpis-{size}")
            context.close()

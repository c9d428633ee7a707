"""A county technician opens a venue's terminal from the venue page, sets it to be probed over TCP
(a real listener on 127.0.0.1), saves, presses 立即探测 and reads the result in the history; the
stored SNMP key is shown only as 已设置. At 1440×900 and 360×740, nothing scrolls sideways.
SCREENSHOT_DIR=… keeps the screenshots."""

import os
from pathlib import Path

import pytest

from tests.browser.helpers import fits_the_phone, login
from tests.factories.venues import EquipmentFactory
from vcassure.probes.services import probe_target_save

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SIZES = {"1440": {"width": 1440, "height": 900}, "360": {"width": 360, "height": 740}}


@pytest.mark.parametrize("size", list(SIZES))
def test_a_technician_sets_a_terminals_probe_and_probes_it_now(
    size, browser, live_server, province, listener, tmp_path
):
    venue = province.venues[0]
    terminal = EquipmentFactory(
        venue=venue, kind="terminal", model="华为 TE40", management_ip="127.0.0.1"
    )
    probe_target_save(
        equipment=terminal, method="snmp", snmp_version="v2c", community="never-shown"
    )
    context = browser.new_context(viewport=SIZES[size], locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        login(page, live_server, "county0-support")
        page.goto(f"{live_server.url}/venues/{venue.pk}/")
        page.click("text=探测设置")
        page.wait_for_selector("h1:has-text('华为 TE40')")
        assert "never-shown" not in page.content()
        assert page.locator("#field-community .badge:has-text('已设置')").count() == 1

        page.select_option("#id_method", "tcp")
        page.fill("#id_port", str(listener))
        page.click(".probe-form button[type=submit]")
        page.wait_for_selector("text=已保存探测设置。")
        page.click("button:has-text('立即探测')")
        page.wait_for_selector("text=探测正常(TCP 连接)")
        assert page.locator(".probe-history tbody tr .badge.ok").count() == 1
        fits_the_phone(page, f"probe settings at {size}")
        folder = Path(os.environ.get("SCREENSHOT_DIR") or tmp_path)
        page.screenshot(path=str(folder / f"probe-settings-{size}.png"), full_page=True)
    finally:
        context.close()

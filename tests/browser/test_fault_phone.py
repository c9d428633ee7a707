"""A fault on a phone (360×740): the engineer fails a step on the task card, the city's network
operations assigns the county's engineer on the fault page, and the engineer, on the fault's phone
page, reports on site and then restored with two big buttons; the venue task is ready again."""

import re
from datetime import timedelta

import pytest

from tests.browser.helpers import (
    fits_the_phone,
    login,
    png_path,
    record_venue_step,
    touch_targets_fit,
)
from tests.factories.checklists import default_templates
from tests.factories.meetings import published_meeting, venue_task
from vcassure.core import clock
from vcassure.faults.models import Fault
from vcassure.meetings.services import check_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 360, "height": 740}


@pytest.fixture
def fault_task(province, settings):
    """Venue 0's task of a meeting starting in three hours (the live server's clock is real)."""
    settings.SMS_GATEWAY_URL = "http://127.0.0.1:9/sms"
    default_templates()  # a transactional test's flush removed the data migration's rows
    start = (clock.localnow() + timedelta(hours=3)).replace(second=0, microsecond=0)
    meeting = published_meeting(
        province, (start, start + timedelta(hours=2)), province.venues[:1], title="防汛视频会商"
    )
    return venue_task(meeting, province.venues[0])


def small_phone(browser):
    context = browser.new_context(viewport=PHONE, locale="zh-CN", has_touch=True, is_mobile=True)
    page = context.new_page()
    page.set_default_timeout(10_000)
    return context, page


def test_fail_a_step_then_on_site_and_restored_from_the_phone(
    browser, live_server, tmp_path, province, fault_task
):
    task = fault_task
    worker = province.user("township0", "support")
    check_in.support_task_check_in(task, by=worker)
    photo = png_path(tmp_path)
    engineer_ctx, engineer = small_phone(browser)
    city_ctx, city = small_phone(browser)
    try:
        # The township engineer fails step 2 on the task card.
        login(engineer, live_server, "township0-support")
        engineer.goto(f"{live_server.url}/meetings/tasks/{task.pk}/field/")
        record_venue_step(engineer, 1, photo=photo)
        record_venue_step(engineer, 2, result="不通过", note="终端无图像")
        engineer.wait_for_selector("#task-state:has-text('故障')")
        fault = Fault.objects.get(subject=f"task:{task.pk}")
        assert fault.state == "open" and fault.severity == "major"

        # Network operations acknowledges and sends the county's engineer.
        login(city, live_server, "city0-support")
        city.goto(f"{live_server.url}/faults/")
        fits_the_phone(city, "fault queue")
        city.click(f"text={fault.title}")
        city.click("#ack-button")
        city.wait_for_selector("text=已受理故障")
        assignee = province.user("county0", "support").staff_profile
        city.select_option("#assignee", str(assignee.pk))
        city.click("#assign-form button[type=submit]")
        city.wait_for_selector("text=已派单")
        fits_the_phone(city, "fault page")

        # The assignee, on the phone page: on site, then restored.
        engineer_ctx.clear_cookies()
        login(engineer, live_server, "county0-support")
        engineer.goto(f"{live_server.url}/faults/{fault.pk}/phone/")
        assert task.venue.name in engineer.inner_text("h1")
        assert "到场时限" in engineer.inner_text(".deadlines")
        fits_the_phone(engineer, "phone page")
        touch_targets_fit(engineer, "#on-site-form button, #restore-form button, .call")
        engineer.click("button:has-text('我已到场')")
        engineer.wait_for_url(re.compile(rf"/faults/{fault.pk}/phone/$"))
        engineer.wait_for_selector("#fault-state:has-text('已到场')")
        engineer.fill("#restore-note", "更换视频线")
        engineer.click("#restore-form button[type=submit]")
        engineer.wait_for_selector("#fault-done")
        assert "已恢复" in engineer.inner_text("#fault-state")
    finally:
        engineer_ctx.close()
        city_ctx.close()
    fault.refresh_from_db()
    task.refresh_from_db()
    assert fault.state == "restored" and fault.on_site_at and fault.assignee == assignee
    assert task.state == "restored"  # the engineer finishes the checks from where they stopped

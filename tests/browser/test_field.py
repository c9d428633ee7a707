"""The field path on a phone (390×844): open the acknowledgement link, acknowledge, check in,
pass steps 1–3 with a photo, fail a step and see the fault; the city restores it on the fault page
and the task is ready again."""

import re
from datetime import timedelta

import pytest

from tests.browser.helpers import (
    VIEWPORTS,
    fits_the_phone,
    login,
    png_path,
    record_venue_step,
    touch_targets_fit,
)
from tests.factories.checklists import default_templates
from tests.factories.meetings import published_meeting, task_notice, venue_task
from tests.factories.notifications import ack_token
from vcassure.core import clock
from vcassure.faults.models import Fault
from vcassure.orgs.models import Department

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NETOPS_PHONE = "0571-87001234"


@pytest.fixture
def phone(browser):
    """A phone that allows the page to read its location (the check-in then sends it)."""
    context = browser.new_context(
        viewport=VIEWPORTS["phone"],
        locale="zh-CN",
        has_touch=True,
        is_mobile=True,
        geolocation={"latitude": 30.27415, "longitude": 120.15507},
        permissions=["geolocation"],
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.viewport_name = "phone"
    yield page
    context.close()


@pytest.fixture
def city_page(browser):
    context = browser.new_context(viewport=VIEWPORTS["phone"], locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.viewport_name = "phone"
    yield page
    context.close()


@pytest.fixture
def published_task(province, settings):
    settings.SMS_GATEWAY_URL = "http://127.0.0.1:9/sms"
    default_templates()  # a transactional test's flush removed the data migration's rows
    Department.objects.filter(org_unit=province.cities[0], kind=Department.Kind.NETWORK_OPS).update(
        phone=NETOPS_PHONE
    )
    # A live server in another thread: no time travel, so the meeting starts in three hours and the
    # "before" steps are allowed now.
    start = (clock.localnow() + timedelta(hours=3)).replace(second=0, microsecond=0)
    meeting = published_meeting(
        province, (start, start + timedelta(hours=2)), province.venues[:1], title="防汛视频会商"
    )
    task = venue_task(meeting, province.venues[0])
    notice = task_notice(task)
    token = ack_token(notice)
    return task, token


def test_field_path_on_a_phone(phone, city_page, live_server, published_task, tmp_path):
    task, token = published_task
    page = phone
    card = f"{live_server.url}/meetings/tasks/{task.pk}/field/"

    # The personal link: acknowledge, then on to the field work (the link is the credential for
    # this task's field pages: no login).
    page.goto(f"{live_server.url}/ack/{token}")
    page.click("button:has-text('确认收到')")
    page.wait_for_selector("text=确认成功")
    page.click("text=进入现场工作")
    page.wait_for_url(card)
    assert task.venue.name in page.inner_text("h1")
    assert "已确认" in page.inner_text("#task-state")
    assert page.locator(f"#contacts a[href='tel:{NETOPS_PHONE}']").count() == 1
    assert page.locator("#contacts a[href='tel:96311']").count() == 1
    assert "到场时限" in page.inner_text("#task-card") and "还剩" in page.inner_text("#task-card")
    fits_the_phone(page, "task card")
    touch_targets_fit(
        page, "#contacts a, #check-in button, .step-buttons button, .photo-input input"
    )

    # Check in: the page asks for the location and sends it with the form.
    page.click("button:has-text('我已到场，签到')")
    page.wait_for_url(re.compile(r"#checklists$"))
    assert "已于" in page.inner_text("#check-in")
    task.refresh_from_db()
    assert task.state == "on_site" and str(task.check_in_lat) == "30.274150"

    # Step 4 waits for the end of the meeting: shown, disabled, with the reason.
    step4 = page.locator("#step-venue-r7-4")
    assert "会议结束（" in step4.inner_text() and step4.locator("button.pass").is_disabled()

    photo = png_path(tmp_path)
    record_venue_step(page, 1, photo=photo)
    assert "已记录为通过" in page.inner_text(".messages")
    record_venue_step(page, 2)
    record_venue_step(page, 3, photo=photo)
    page.wait_for_selector("#task-state:has-text('已就绪')")
    assert "会前检查全部通过" in page.inner_text(".messages")
    thumb = page.locator("#step-venue-r7-1 .thumbs img").first
    thumb.scroll_into_view_if_needed()
    page.wait_for_function(
        "(img) => img.complete && img.naturalWidth > 0", arg=thumb.element_handle()
    )
    fits_the_phone(page, "checklist passed")

    # A failure: the optical power dropped. The fault shows on the step, routed to the city.
    record_venue_step(page, 2, result="不通过", note="光功率 -32 dBm，低于门限")
    page.wait_for_selector("#task-state:has-text('故障')")
    fault = Fault.objects.get(subject=f"task:{task.pk}")
    box = page.locator("#step-venue-r7-2 .fault-box")
    assert fault.title in box.inner_text() and "待处理" in box.inner_text()
    assert fault.assigned_department.name in box.inner_text()
    fits_the_phone(page, "faulty")

    # The city's network operations restores it on the fault page.
    login(city_page, live_server, "city0-dispatcher")
    city_page.goto(f"{live_server.url}/faults/")
    city_page.click(f"text={fault.title}")
    city_page.wait_for_selector("#restore-form")
    assert "光功率 -32 dBm" in city_page.inner_text("#fault-step")
    fits_the_phone(city_page, "fault detail")
    city_page.fill("#restore-note", "更换尾纤后光功率 -18 dBm")
    city_page.click("button:has-text('确认已恢复')")
    city_page.wait_for_selector("text=故障已恢复")
    assert "已恢复" in city_page.inner_text("#fault-state")

    # Back on the phone: the task is ready again.
    page.reload()
    assert "已就绪" in page.inner_text("#task-state")
    assert "已恢复" in page.inner_text("#step-venue-r7-2 .fault-box")
    task.refresh_from_db()
    assert task.state == "ready"

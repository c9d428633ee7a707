"""Routine work in a real browser: an inspection done on a 360 px phone (a reading out of range
fails its step and opens a fault; no horizontal scrolling), the joint-test matrix entered with
the keyboard on the desktop (Tab through a venue's row, arrows to choose), and the template
builder and plan page at both sizes. With SCREENSHOT_DIR set, each page is saved there."""

import pytest

from tests.browser.helpers import login
from tests.browser.helpers import screenshot as shot
from tests.browser.phone import phone_inspection
from tests.factories.meetings import published_meeting
from vcassure.accounts.models import Role
from vcassure.faults.models import Fault
from vcassure.meetings.models import TestResult

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SIZES = {"desktop": {"width": 1440, "height": 900}, "phone": {"width": 360, "height": 740}}


def new_page(browser, size: str):
    context = browser.new_context(viewport=SIZES[size], locale="zh-CN", is_mobile=size == "phone")
    page = context.new_page()
    page.set_default_timeout(10_000)
    return page


def no_horizontal_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


@pytest.fixture
def inspection(province):
    return phone_inspection(province, code="browser-inspection")


def test_an_inspection_on_a_360px_phone(browser, live_server, province, inspection):
    page = new_page(browser, "phone")
    login(page, live_server, inspection.assignee.user.username)
    page.goto(f"{live_server.url}/routine/inspections/mine/")
    page.click(f"text={inspection.venue.name}")
    page.wait_for_selector("#inspection-card")
    assert no_horizontal_scroll(page)
    shot(page, "routine-inspection-phone")
    page.click("#step-browser-inspection-1 button.pass")
    page.wait_for_selector("text=已记录为通过")
    page.fill("#reading-browser-inspection-2", "-31.5")
    page.click("#step-browser-inspection-2 button.pass")
    page.wait_for_selector("text=不通过，已登记故障")
    assert page.is_visible("text=收光功率 -31.5 dBm 超出允许范围（-27 至 -8 dBm）。")
    assert no_horizontal_scroll(page)
    shot(page, "routine-inspection-phone-fault")
    fault = Fault.objects.get(subject=f"inspection:{inspection.pk}")
    assert (fault.source, fault.severity) == ("inspection", "minor")
    page.context.close()


def test_the_joint_test_matrix_entered_by_keyboard(browser, live_server, province, tomorrow):
    meeting = published_meeting(
        province, tomorrow, province.venues[:4], kind="test", title="全省联调"
    )
    first, second = province.venues[0], province.venues[1]
    page = new_page(browser, "desktop")
    login(page, live_server, province.user("province").username)
    page.goto(f"{live_server.url}/meetings/{meeting.pk}/test-matrix/")
    # The first venue's row: four checks passed, by keyboard only.
    page.focus(f"select[name='c-{first.pk}-1-audio_in']")
    for _check in range(4):
        page.keyboard.press("ArrowDown")  # "" → 通过
        page.keyboard.press("Tab")
    page.keyboard.press("Tab")  # past the note to the next venue's row
    page.focus(f"select[name='c-{second.pk}-1-audio_in']")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Tab")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")  # 不通过
    page.keyboard.press("Tab")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Tab")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Tab")
    page.keyboard.type("无声音")
    page.keyboard.press("Enter")
    page.wait_for_selector("text=已保存 2 个会场的结果")
    assert page.inner_text("[data-count='failed']") == "1"
    assert page.inner_text("[data-count='passed']") == "1"
    rows = page.locator("table.matrix tbody tr")
    assert rows.first.get_attribute("data-venue") == str(second.pk)  # failures first
    assert page.locator(f"select[name='c-{second.pk}-2-audio_in']").count() == 1
    shot(page, "joint-test-matrix-desktop")
    result = TestResult.objects.get(venue=second, round__number=1)
    assert (result.audio_out, result.note) == ("fail", "无声音")
    assert Fault.objects.filter(source="joint_test", venue=second).count() == 1
    phone = new_page(browser, "phone")
    login(phone, live_server, province.user("province").username)
    phone.goto(f"{live_server.url}/meetings/{meeting.pk}/test-matrix/")
    shot(phone, "joint-test-matrix-phone")
    phone.context.close()
    # The venue's own person on the phone: their venue only, no horizontal scrolling.
    person = new_page(browser, "phone")
    login(person, live_server, province.user("township2", Role.SUPPORT).username)
    person.goto(f"{live_server.url}/meetings/{meeting.pk}/test-matrix/")
    third = province.venues[2]
    for check in ("audio_in", "audio_out", "video_in", "video_out"):
        person.select_option(f"select[name='c-{third.pk}-1-{check}']", "pass")
    person.click("#matrix-form button[type=submit]")
    person.wait_for_selector("text=已保存 1 个会场的结果")
    assert no_horizontal_scroll(person)
    shot(person, "joint-test-venue-phone")
    assert TestResult.objects.get(venue=third).outcome == "pass"
    person.context.close()
    page.context.close()


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_the_coordinator_schedules_rounds_on_the_matrix_page(
    browser, live_server, province, tomorrow, size
):
    venues = [*province.venues[:2], *province.venues[4:6]]
    meeting = published_meeting(province, tomorrow, venues, kind="test", title="两市联调")
    city0, city1 = province.cities
    start = tomorrow[0]
    page = new_page(browser, size)
    login(page, live_server, province.user("province").username)
    page.goto(f"{live_server.url}/meetings/{meeting.pk}/test-matrix/")
    page.select_option("#id_round-city", str(city0.pk))
    page.fill("#id_round-starts_at", f"{start:%Y-%m-%d}T09:00")
    page.fill("#id_round-ends_at", f"{start:%Y-%m-%d}T09:30")
    page.click("#round-form button[type=submit]")
    page.wait_for_selector("text=已安排第 1 轮")
    page.select_option("#id_round-city", str(city1.pk))
    page.fill("#id_round-starts_at", f"{start:%Y-%m-%d}T09:00")
    page.fill("#id_round-ends_at", f"{start:%Y-%m-%d}T09:40")
    page.click("#round-form button[type=submit]")
    page.wait_for_selector("text=已安排第 2 轮")
    rounds = page.inner_text(".round-list")
    assert city0.name in rounds and city1.name in rounds and "09:00–09:40" in rounds
    # The same city again in an overlapping slot: refused, in Chinese, next to the form.
    page.select_option("#id_round-city", str(city0.pk))
    page.fill("#id_round-starts_at", f"{start:%Y-%m-%d}T09:15")
    page.fill("#id_round-ends_at", f"{start:%Y-%m-%d}T09:45")
    page.click("#round-form button[type=submit]")
    page.wait_for_selector("#round-error")
    assert "与第 1 轮" in page.inner_text("#round-error")
    if size == "phone":
        assert page.evaluate(
            "document.querySelector('#round-form').getBoundingClientRect().right <= innerWidth"
        )
    shot(page, f"joint-test-rounds-{size}")
    assert meeting.test_rounds.count() == 2
    page.context.close()


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_template_builder_and_plan_page(browser, live_server, province, inspection, size):
    page = new_page(browser, size)
    login(page, live_server, province.user("province", Role.ADMIN).username)
    page.goto(f"{live_server.url}/checklists/templates/")
    page.click("text=会场日常巡检")
    page.wait_for_selector("form.template-form")
    assert page.input_value("input[name='steps-1-reading_min']") in ("-27", "-27.000")
    shot(page, f"checklist-template-builder-{size}")
    page.goto(f"{live_server.url}/routine/plans/")
    assert page.is_visible("text=水利会场日常巡检")
    shot(page, f"routine-plans-{size}")
    if size == "phone":
        assert no_horizontal_scroll(page)
    page.goto(f"{live_server.url}/routine/inspections/{inspection.pk}/")
    page.wait_for_selector("#inspection-card")
    shot(page, f"routine-inspection-{size}")
    page.context.close()

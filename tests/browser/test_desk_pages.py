"""The dispatcher's desk pages at 1440×900 and on a 360×740 phone: the home (工作台) per role with
each kind of item and its refresh without reload; the venue picker (a whole city, one venue
removed by a click and one by the keyboard, a search by pinyin initials, a province-wide choice
that stays within the screen); the desk and the delivery log naming subjects, never "meeting:1"."""

import pytest

from tests.browser.helpers import login
from tests.factories.home import attention_scenario, open_fault
from tests.factories.meetings import local
from tests.factories.venues import VenueFactory
from vcassure.meetings.models import Meeting
from vcassure.notifications.models import Delivery, Notification

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SIZES = {"desk": {"width": 1440, "height": 900}, "phone": {"width": 360, "height": 740}}
POLL_WAIT_MS = 25_000  # a poll every 15 s, plus the render


@pytest.fixture(params=list(SIZES))
def screen(request, browser):
    context = browser.new_context(viewport=SIZES[request.param], locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.size_name = request.param
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    yield page
    context.close()
    assert errors == [], errors


def no_sideways_scroll(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= SIZES[page.size_name]["width"], f"{page.size_name}: {width}px wide"


def kinds(page) -> list[str]:
    return page.eval_on_selector_all(
        "#attention [data-kind]", "items => items.map(i => i.dataset.kind)"
    )


# --- home ------------------------------------------------------------------------------------------


def test_home_per_role(screen, live_server, province, tomorrow):
    s = attention_scenario(province, tomorrow)
    page = screen
    login(page, live_server, "province-dispatcher")
    assert page.locator("h1").inner_text().startswith("工作台")
    found = kinds(page)
    assert set(found) == {"meeting", "unanswered", "fault", "phone_call", "im_group"}
    assert found[-1] == "meeting"  # tomorrow's meeting, nothing late yet, after what is late now
    assert "5 人超过响应时限未确认" in page.inner_text("#attention")
    no_sideways_scroll(page)
    # Each item leads to where it is handled.
    page.click("#attention [data-kind=fault] a")
    page.wait_for_url(f"**/faults/{s.fault.pk}/")
    page.go_back()
    page.click("#attention [data-kind=meeting] a")
    page.wait_for_url(f"**/meetings/{s.meeting.pk}/dashboard/")
    page.go_back()
    page.click("#attention [data-kind=unanswered] a")
    page.wait_for_url(f"**/notifications/desk/?meeting={s.meeting.pk}")

    page.context.clear_cookies()
    login(page, live_server, "township0-support")
    assert kinds(page) == ["my_task"]
    assert "请确认接收" in page.inner_text("#attention")
    no_sideways_scroll(page)
    page.click("#attention [data-kind=my_task] a")
    page.wait_for_url("**/field/")

    page.context.clear_cookies()
    login(page, live_server, "city1-dispatcher")  # nothing in city 1
    assert kinds(page) == []
    text = page.inner_text("#attention")
    assert "今天没有需要处理的事项" in text and "没有未恢复的故障" in text


def test_home_refreshes_without_reload(browser, live_server, province):
    context = browser.new_context(viewport=SIZES["desk"], locale="zh-CN")
    page = context.new_page()
    try:
        login(page, live_server, "province-dispatcher")
        assert "今天没有需要处理的事项" in page.inner_text("#attention")
        page.evaluate("window.notReloaded = true")
        open_fault(province, title="光路中断")
        page.wait_for_selector("#attention [data-kind=fault]", timeout=POLL_WAIT_MS)
        assert "光路中断" in page.inner_text("#attention")
        assert page.evaluate("window.notReloaded") is True
    finally:
        context.close()


# --- venue picker ----------------------------------------------------------------------------------


def chosen(page) -> set[int]:
    value = page.input_value("[data-vp-value]")
    return {int(v) for v in value.split(",") if v}


def unit_box(page, name: str):
    return page.locator(".vp-unit", has_text=name).first.locator("input[type=checkbox]")


def test_pick_a_city_remove_by_click_and_by_keyboard_search_by_pinyin(
    screen, live_server, province, tomorrow
):
    tree, page = province, screen
    login(page, live_server, "province-dispatcher")
    page.goto(f"{live_server.url}/meetings/new/")
    assert "请先选择视频会商系统" in page.inner_text("[data-vp-tree]")
    page.select_option("#id_system", "water")
    page.fill("#id_title", "防汛抗旱视频会商")
    page.fill("#id_starts_at", local(tomorrow[0]))
    page.fill("#id_ends_at", local(tomorrow[1]))
    page.fill("#id_notice_ref", "水利〔2026〕12号")
    # A whole city: its checkbox chooses the four township venues under it.
    unit_box(page, "测试1市").check()
    assert chosen(page) == {v.pk for v in tree.venues[:4]}
    assert "已选 4 个会场" in page.inner_text("[data-vp-chosen]")
    assert (
        page.locator(".vp-unit", has_text="测试1市").first.locator(".vp-count").inner_text()
        == "4/4"
    )
    # The summary is by unit; its venues appear on demand.
    assert page.locator(".vp-chip").count() == 0
    page.click(".vp-group-toggle:has-text('测试1市')")
    # One removed by a click …
    page.click(f".vp-chip:has-text('{tree.venues[0].name}')")
    assert chosen(page) == {v.pk for v in tree.venues[1:4]}
    # … one by the keyboard: Tab reaches the chips, Delete removes the focused one.
    page.focus(f".vp-chip:has-text('{tree.venues[1].name}')")
    page.keyboard.press("Delete")
    assert chosen(page) == {v.pk for v in tree.venues[2:4]}
    assert page.evaluate("document.activeElement.classList.contains('vp-chip')")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")  # Enter on the next chip removes it too
    assert chosen(page) == {tree.venues[2].pk}
    # Pinyin initials: "cs2s" is 测试2市; Space on its checkbox chooses the city.
    page.fill("[data-vp-search]", "cs2s")
    page.wait_for_selector(".vp-unit.vp-hit:has-text('测试2市')")
    hits = page.locator(".vp-unit.vp-hit .vp-name").all_inner_texts()
    assert hits[0].strip() == "测试2市" and all("测试2市" in h for h in hits), hits
    unit_box(page, "测试2市").focus()
    page.keyboard.press("Space")
    assert chosen(page) >= {v.pk for v in tree.venues[4:8]}
    assert "测试1市1县" not in page.inner_text("[data-vp-tree]")  # filtered to the match
    no_sideways_scroll(page)
    page.click("button:has-text('保存草稿')")
    page.wait_for_selector("text=会议已保存为草稿，共 5 个分会场")
    meeting = Meeting.objects.get()
    assert set(meeting.venues.values_list("pk", flat=True)) == {
        tree.venues[2].pk,
        *(v.pk for v in tree.venues[4:8]),
    }


def test_a_province_wide_choice_stays_within_the_screen(screen, live_server, province):
    tree, page = province, screen
    for i in range(600):
        VenueFactory(org_unit=tree.townships[i % 8], name=f"批量{i}分会场", code=f"W-B{i:04d}")
    login(page, live_server, "province-dispatcher")
    page.goto(f"{live_server.url}/meetings/new/")
    page.select_option("#id_system", "water")
    unit_box(page, "测试省").check()
    assert len(chosen(page)) == 608
    for toggle in page.locator(".vp-group-toggle").all():
        toggle.click()
    page.locator(".vp-unit", has_text="测试1市").first.locator(".vp-toggle").click()
    assert page.locator(".vp-chip").count() == 608
    height = page.eval_on_selector("[data-venue-picker]", "p => p.getBoundingClientRect().height")
    assert height <= SIZES[page.size_name]["height"], f"the picker is {height}px tall"
    assert page.eval_on_selector("[data-vp-chosen]", "b => b.scrollHeight > b.clientHeight")
    no_sideways_scroll(page)


# --- names, not codes ------------------------------------------------------------------------------


def test_desk_and_delivery_log_show_no_raw_subjects(screen, live_server, province, tomorrow):
    s = attention_scenario(province, tomorrow)
    assert Notification.objects.filter(topic=f"meeting:{s.meeting.pk}").exists()
    assert Delivery.objects.exists()
    page = screen
    login(page, live_server, "province-dispatcher")
    delivery = Delivery.objects.order_by("id").first()
    for url in [
        "/notifications/desk/",
        f"/notifications/desk/?meeting={s.meeting.pk}",
        "/notifications/deliveries/",
        f"/notifications/deliveries/{delivery.pk}/",
    ]:
        page.goto(f"{live_server.url}{url}")
        text = page.inner_text("main")
        assert "meeting:" not in text and "task:" not in text, url
        assert "防汛抗旱视频会商" in text, url
        no_sideways_scroll(page)

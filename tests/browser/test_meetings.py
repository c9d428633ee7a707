"""A province dispatcher turns a formal notice into a published meeting, on a desktop and on a phone."""

import re

import pytest
from django.utils import timezone

from tests.browser.helpers import login, open_menu
from vcassure.meetings.models import Meeting, SupportTask
from vcassure.orgs.models import Staff

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def assert_no_sideways_scroll(page, where: str) -> None:
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"{page.viewport_name} {where}: page scrolls sideways by {overflow}px"


def local(value) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%dT%H:%M")


def test_create_preview_confirm_and_publish(page, live_server, province, tomorrow):
    tree = province
    county = tree.counties[0]
    # County 0's emergency mobile staff are all away, so publishing needs a confirmation. (Not an R5 rule
    # shortfall: transactional tests flush the staffing rules that the data migration wrote.)
    Staff.objects.filter(org_unit=county, is_emergency_mobile=True).update(is_active=False)
    login(page, live_server, "province-dispatcher")

    open_menu(page)
    page.click("nav >> text=会议")
    page.wait_for_selector("h1:has-text('会议')")
    assert "没有符合条件的会议" in page.content()
    assert_no_sideways_scroll(page, "empty list")
    page.click("text=新建会议")
    page.wait_for_selector("h1:has-text('新建会议')")

    page.select_option("#id_system", "water")
    page.fill("#id_title", "防汛抗旱视频会商")
    page.select_option("#id_importance", "important")
    page.fill("#id_starts_at", local(tomorrow[0]))
    page.fill("#id_ends_at", local(tomorrow[1]))
    page.fill("#id_notice_ref", "水利〔2026〕12号")
    page.select_option("#id_main_venue", str(tree.main_venue.pk))
    # The picker: city 1 by its checkbox (its four township venues), then one more by its code.
    page.locator(".vp-unit", has_text="测试1市").first.locator("input[type=checkbox]").check()
    page.wait_for_selector("[data-vp-total='4']")
    page.click(".vp-group-toggle:has-text('测试1市')")
    chosen = page.inner_text("[data-vp-chosen]")
    for venue in tree.venues[:4]:
        assert venue.name in chosen
    assert tree.venues[4].name not in chosen
    page.fill("[data-vp-search]", tree.venues[4].code)
    page.check(f"input[data-venue='{tree.venues[4].pk}']")
    page.wait_for_selector("[data-vp-total='5']")
    assert_no_sideways_scroll(page, "form")

    page.click("button:has-text('保存草稿')")
    page.wait_for_selector("text=会议已保存为草稿，共 5 个分会场")
    meeting = Meeting.objects.get()
    assert page.url == f"{live_server.url}/meetings/{meeting.pk}/"
    assert "人员安排预览" in page.content()
    shortfalls = page.inner_text("#shortfalls")
    assert "同时段有 1 场会议，应急机动人员只有 0 人" in shortfalls
    assert_no_sideways_scroll(page, "draft detail")

    # The box is required: the browser will not submit without it.
    page.click("button:has-text('发布会议')")
    assert page.evaluate("document.querySelector('#id_confirm_shortfalls').validity.valueMissing")
    assert (
        page.url == f"{live_server.url}/meetings/{meeting.pk}/"
        and Meeting.objects.get().state == "draft"
    )
    page.check("#id_confirm_shortfalls")
    page.click("button:has-text('发布会议')")
    n = SupportTask.objects.filter(meeting=meeting).count()
    page.wait_for_selector(f"text=会议已发布，共生成 {n} 项任务")
    assert Meeting.objects.get().state == "published"
    assert "发布时已确认的人员缺口" in page.content()

    # The chain: province customer dept → O&M + city customer depts → county customer → technical maintenance.
    tree_box = page.locator("#task-tree")
    root = tree_box.locator("> li[data-role=publish]")
    assert root.count() == 1
    assert (
        root.locator("li[data-role=ops]").count() == 1
        and root.locator("li[data-role=broadcast]").count() == 1
    )
    city = root.locator(f"li[data-role=customer][data-unit='{tree.cities[0].pk}']")
    county_node = city.locator(f"li[data-role=customer][data-unit='{county.pk}']")
    county_node.locator("summary").first.click()
    maintenance = county_node.locator("li[data-role=tech_maintenance]")
    maintenance.wait_for(state="visible")
    assert re.search(r"会场任务 2", maintenance.inner_text())
    assert tree.venues[0].name in page.inner_text("#venue-tasks")
    assert_no_sideways_scroll(page, "published detail")

    page.click("text=跟踪完成情况")
    page.wait_for_selector("#track-counts")
    assert "测试1市" in page.content() and "测试2市" in page.content()
    assert_no_sideways_scroll(page, "tracking")

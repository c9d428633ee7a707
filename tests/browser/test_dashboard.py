"""The dispatch desk watches a meeting's venues turn ready on a 1920×1080 screen: the dashboard
follows the database every 5 s without reloading, drills down in place, and has a big-screen mode."""

import pytest

from tests.browser.helpers import login
from tests.factories.meetings import published_meeting
from vcassure.meetings.models import ShareLink, SupportTask
from vcassure.orgs.models import Staff

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WALL = {"width": 1920, "height": 1080}
POLL_WAIT_MS = 15_000  # a poll every 5 s, plus the render


@pytest.fixture
def wall(browser):
    context = browser.new_context(viewport=WALL, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


@pytest.fixture
def meeting(province, tomorrow):
    tree = province
    m = published_meeting(tree, tomorrow, tree.venues)
    SupportTask.objects.filter(meeting=m, venue=tree.venues[0]).update(state="ready")
    return m


def tile(page, state: str) -> str:
    return page.inner_text(f"#dash-tiles [data-state={state}] .num").strip()


def wait_for_tile(page, state: str, value: str) -> None:
    page.wait_for_function(
        "([state, value]) => { const el = document.querySelector(`#dash-tiles [data-state=${state}] .num`);"
        " return el && el.textContent.trim() === value; }",
        arg=[state, value],
        timeout=POLL_WAIT_MS,
    )


def page_identity(page) -> dict:
    return page.evaluate(
        "() => ({origin: performance.timeOrigin, navigations: performance.getEntriesByType('navigation').length,"
        " loadedAt: window.vcaDashboard && window.vcaDashboard.loadedAt, marker: window.__testMarker || null})"
    )


def test_dashboard_follows_the_database_without_reloading(wall, live_server, province, meeting):
    tree = province
    login(wall, live_server, "province-dispatcher")
    wall.goto(f"{live_server.url}/meetings/{meeting.pk}/dashboard/")
    assert tile(wall, "total") == "9" and tile(wall, "ready") == "1" and tile(wall, "faulty") == "0"
    wall.evaluate("window.__testMarker = 'first-load'")
    before = page_identity(wall)
    assert before["loadedAt"] and before["marker"] == "first-load"
    assert wall.inner_text("#dash-unit") == "测试省"

    # Someone on site moves on; the desk sees it within a poll, on the same page.
    SupportTask.objects.filter(meeting=meeting, venue__in=tree.venues[1:3]).update(state="ready")
    SupportTask.objects.filter(meeting=meeting, venue=tree.venues[5]).update(state="faulty")
    wait_for_tile(wall, "ready", "3")
    wait_for_tile(wall, "faulty", "1")
    assert page_identity(wall) == before
    assert tree.venues[5].name in wall.inner_text("#dash-attention")
    # The countdown ticks in the browser.
    first = wall.inner_text(".dash-countdown")
    wall.wait_for_function(
        "(t) => document.querySelector('.dash-countdown').textContent !== t", arg=first
    )
    assert "距开始" in wall.inner_text(".dash-countdown")

    # Drill down in place: the city's counties, the URL follows, still the same page.
    wall.click(f"#live a:text-is('{tree.cities[1].name}')")
    wall.wait_for_function(
        "(name) => document.querySelector('#dash-unit').textContent === name",
        arg=tree.cities[1].name,
    )
    assert wall.url.endswith(f"?unit={tree.cities[1].pk}")
    units = wall.inner_text(".dash-units")
    assert "测试2市1县" in units and "测试2市2县" in units and "测试1市1县" not in units
    assert tile(wall, "total") == "4" and tile(wall, "faulty") == "1"
    # The poll keeps following the city.
    SupportTask.objects.filter(meeting=meeting, venue=tree.venues[6]).update(state="on_site")
    wait_for_tile(wall, "on_site", "1")
    assert page_identity(wall) == before
    overflow = wall.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0


def test_big_screen_mode(wall, live_server, province, meeting):
    tree = province
    login(wall, live_server, "province-dispatcher")
    wall.goto(f"{live_server.url}/meetings/{meeting.pk}/dashboard/")
    wall.click("#screen-link")
    wall.wait_for_selector("body.screen")
    assert wall.locator("nav.nav").count() == 0
    style = wall.evaluate(
        "() => { const b = getComputedStyle(document.body); const n = getComputedStyle(document.querySelector('.dash-tile .num'));"
        " return {bg: b.backgroundColor, num: parseFloat(n.fontSize), h1: parseFloat(getComputedStyle(document.querySelector('h1')).fontSize)}; }"
    )
    assert style["bg"] == "rgb(10, 16, 32)"
    assert style["num"] >= 48 and style["h1"] >= 32  # legible from across the room
    # Everything fits on the wall: no scrolling, the panels end above the bottom edge.
    fits = wall.evaluate(
        "() => [...document.querySelectorAll('.dash-tile, .dash-panel')].every(el => el.getBoundingClientRect().bottom <= innerHeight + 1)"
    )
    assert fits
    assert tile(wall, "ready") == "1"
    wall.evaluate("window.__testMarker = 'screen'")
    before = page_identity(wall)
    SupportTask.objects.filter(meeting=meeting, venue=tree.venues[3]).update(state="ready")
    wait_for_tile(wall, "ready", "2")
    assert page_identity(wall) == before
    # Drilling down stays on the big screen.
    wall.click(f"#live a:text-is('{tree.cities[0].name}')")
    wall.wait_for_function(
        "(name) => document.querySelector('#dash-unit').textContent === name",
        arg=tree.cities[0].name,
    )
    assert "screen=1" in wall.url and wall.locator("body.screen").count() == 1


def test_manager_shares_a_read_only_link(wall, live_server, browser, province, meeting):
    tree = province
    login(wall, live_server, "province-dispatcher")
    wall.goto(f"{live_server.url}/meetings/{meeting.pk}/dashboard/")
    wall.select_option("#share-create select", "24")
    wall.click("#share-create button")
    wall.wait_for_selector("text=分享链接已生成")
    link = ShareLink.objects.get()
    assert wall.input_value("#share-links .share-url").endswith(f"/meetings/share/{link.token}/")

    customer = browser.new_context(viewport=WALL, locale="zh-CN")
    try:
        page = customer.new_page()
        page.goto(f"{live_server.url}/meetings/share/{link.token}/")
        assert "测试1市" in page.inner_text("#share-units")
        venues = page.inner_text("#share-venues")
        assert tree.venues[0].name in venues and "已就绪" in venues
        text = page.inner_text("body")
        for person in Staff.objects.all():
            assert person.name not in text and (not person.mobile or person.mobile not in text)

        wall.click("#share-links button:has-text('撤销')")
        wall.wait_for_selector("text=分享链接已撤销")
        response = page.goto(f"{live_server.url}/meetings/share/{link.token}/")
        assert response.status == 410 and "已被撤销" in page.inner_text("body")
    finally:
        customer.close()

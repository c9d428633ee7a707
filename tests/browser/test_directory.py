import pytest

from tests.browser.helpers import login, open_menu
from tests.factories.venues import EquipmentFactory, VenueFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_log_in_walk_the_tree_and_open_a_venue(page, live_server, tree):
    venue = VenueFactory(org_unit=tree.townships[1], name="测试1市1县2镇水利分会场")
    EquipmentFactory(venue=venue, model="华为 TE40", management_ip="10.9.8.7")
    login(page, live_server, "province-dispatcher")
    assert page.locator("h1").inner_text().startswith("工作台")

    open_menu(page)
    page.click("nav >> text=组织架构")
    page.wait_for_selector("text=测试1市")
    # Expand city → county through HTMX, without leaving the page.
    page.click(f"#unit-{tree.cities[0].pk} button.toggle")
    page.wait_for_selector(f"#unit-{tree.counties[0].pk}")
    page.click(f"#unit-{tree.counties[0].pk} button.toggle")
    page.wait_for_selector(f"#unit-{tree.townships[1].pk}")
    assert page.url == f"{live_server.url}/org/"
    page.click(f"#unit-{tree.townships[1].pk} >> text=测试1市1县2镇")
    page.wait_for_selector("h1:has-text('测试1市1县2镇')")
    page.click("text=本单元及下级会场")
    page.click("text=测试1市1县2镇水利分会场")
    page.wait_for_selector("text=10.9.8.7")
    assert "华为 TE40" in page.content()
    # Nothing overflows sideways on a phone.
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"{page.viewport_name}: page scrolls sideways by {overflow}px"


def test_county_user_cannot_open_another_county(page, live_server, tree):
    other = VenueFactory(org_unit=tree.townships[2])
    login(page, live_server, "county0-dispatcher")
    response = page.goto(f"{live_server.url}/venues/{other.pk}/")
    assert response.status == 404

"""Duty on a phone (360×740): the person on shift opens their duty page, checks in (the page adds
the phone's location) and checks out, with big buttons and no sideways scrolling."""

import pytest

from tests.browser.helpers import login
from tests.factories.duty import make_period
from vcassure.core import clock
from vcassure.duty.models import Shift

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def phone360(browser):
    context = browser.new_context(
        viewport={"width": 360, "height": 740},
        locale="zh-CN",
        has_touch=True,
        is_mobile=True,
        geolocation={"latitude": 30.27415, "longitude": 120.15507},
        permissions=["geolocation"],
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def test_check_in_and_out_at_360px(province, live_server, phone360):
    today = clock.localnow().date()
    period = make_period(province.user("province"), province.venues[:1], days=1, starts_on=today)
    now = clock.now()
    shift = Shift.objects.get(period=period, starts_at__lte=now, ends_at__gt=now)
    person = shift.assignee
    assert person is not None and person.user is not None
    page = phone360
    login(page, live_server, person.user.username)
    page.goto(f"{live_server.url}/duty/mine/")
    card = page.locator(f"#shift-{shift.pk}")
    assert province.venues[0].name in card.inner_text()
    button = card.get_by_role("button", name="签到")
    box = button.bounding_box()
    assert box["height"] >= 44 and box["width"] >= 280  # full width of the card
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    button.click()
    page.wait_for_selector(".msg-success")
    assert "已签到" in page.locator(f"#shift-{shift.pk}").inner_text()
    shift.refresh_from_db()
    assert shift.checked_in_at is not None
    assert shift.check_in_location == {"lat": 30.27415, "lng": 120.15507}
    page.locator(f"#shift-{shift.pk}").get_by_role("button", name="签退").click()
    page.wait_for_selector(f"#shift-{shift.pk} .done-line >> text=已签退")
    shift.refresh_from_db()
    assert shift.checked_out_at is not None
    assert page.evaluate("document.documentElement.scrollWidth") <= 360

"""Every phone page under Chromium's network emulation (400 kbit/s, 400 ms round trip; CDP
Network.emulateNetworkConditions) at 360 × 740 in DingTalk's browser, each opened with an empty
cache: the time until its main button works (DOMContentLoaded, the deferred scripts run, with the
button shown). The acknowledgement and checklist path is test_phone_pages.py's link-only test;
here the task card through the link's pass, the card after a failed step (the fault report), the
fault's phone page, the inspection card, the shift check-in page and an error page. The figures
are printed (`-s`) and written to var/phone-pages.json; no time is asserted."""

import contextlib
import re
import urllib.error
import urllib.request

import pytest

from tests.browser.phone import SLOW_3G, current_shift, fresh_phone_logged_in, phone_inspection
from vcassure.accounts.models import Role
from vcassure.faults.models import Fault
from vcassure.faults.services import fault_acknowledge, fault_assign

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def on_slow_3g(page):
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.emulateNetworkConditions", SLOW_3G)
    return page


def ready_ms(page, selector: str) -> int:
    """Milliseconds from the navigation's start until the page's DOMContentLoaded ended (the
    deferred scripts have run), once `selector`, the main button, is shown and enabled."""
    page.wait_for_selector(selector, state="visible", timeout=30_000)
    assert page.locator(selector).first.is_enabled()
    page.wait_for_load_state("domcontentloaded")
    return round(
        page.evaluate("performance.getEntriesByType('navigation')[0].domContentLoadedEventEnd")
    )


def test_every_phone_page_on_slow_3g(
    dingtalk, live_server, linked_task, province, results, settings
):
    settings.ROOT_URLCONF = "tests.error_urls"  # the site's URLs plus one 404 on purpose
    task, token = linked_task
    inspection = phone_inspection(province)
    shift = current_shift(province)
    base = live_server.url
    # Warm the server (templates, catalogues, URL resolver): the figures are the network's and the
    # page's, not a cold Python process's first request.
    for path in ("/accounts/login/", "/__fail/404/"):
        with contextlib.suppress(urllib.error.HTTPError):  # the 404 on purpose
            urllib.request.urlopen(base + path, timeout=30).read()  # noqa: S310 (local)
    timings: dict[str, int] = {}

    # The task card through the link's pass: the link opened once (that grants the pass), the card
    # then on a phone with an empty cache.
    door = dingtalk()
    door.goto(f"{base}/ack/{token}")
    door.click("button:has-text('确认收到')")
    door.wait_for_selector("text=确认成功")
    card = on_slow_3g(dingtalk())
    card.context.add_cookies(door.context.cookies())
    card.goto(f"{base}/meetings/tasks/{task.pk}/field/")
    timings["task card: 我已到场，签到"] = ready_ms(card, "button:has-text('我已到场，签到')")
    card.click("button:has-text('我已到场，签到')")
    card.wait_for_url(re.compile(r"#checklists$"))
    timings["checklist: 通过"] = ready_ms(card, "#step-venue-r7-1 button.pass")

    # A failed step (a plain post): the card comes back with the fault it opened.
    step = card.locator("#step-venue-r7-1")
    step.locator("textarea[name=note]").fill("机柜无市电")
    step.locator("button:text-is('不通过')").click()
    card.wait_for_selector("#task-state:has-text('故障')", timeout=30_000)
    timings["fault report: 通过 (again, once repaired)"] = ready_ms(
        card, "#step-venue-r7-1 button.pass"
    )
    # Network operations acknowledges it and sends the county's engineer, who opens the fault's
    # phone page from the message, logged in.
    fault = Fault.objects.get(subject=f"task:{task.pk}")
    fault_acknowledge(fault, by=province.user("city0", Role.SUPPORT))
    engineer = province.user("county0", Role.SUPPORT)
    fault_assign(fault, by=province.user("city0", Role.SUPPORT), assignee=engineer.staff_profile)
    page = on_slow_3g(fresh_phone_logged_in(dingtalk, live_server, engineer.username))
    page.goto(f"{base}/faults/{fault.pk}/phone/")
    timings["fault phone page: 我已到场"] = ready_ms(page, "#on-site-form button")

    page = on_slow_3g(
        fresh_phone_logged_in(dingtalk, live_server, inspection.assignee.user.username)
    )
    page.goto(f"{base}/routine/inspections/{inspection.pk}/")
    timings["inspection card: 通过"] = ready_ms(page, "#step-phone-inspection-1 button.pass")

    page = on_slow_3g(fresh_phone_logged_in(dingtalk, live_server, shift.assignee.user.username))
    page.goto(f"{base}/duty/mine/")
    timings["shift check-in: 签到"] = ready_ms(page, f"#shift-{shift.pk} button:text-is('签到')")

    page = on_slow_3g(dingtalk())
    page.goto(f"{base}/__fail/404/")
    timings["error page (404): 我的任务"] = ready_ms(page, "a.button:has-text('我的任务')")

    results["slow 3G, other phone pages: ms until the main button works"] = timings
    print(f"slow 3G: {timings}")  # noqa: T201
    assert len(timings) == 7

"""The shared venue picker in the special-period and inspection-plan forms, at 1440×900 and
360×740: pick a whole unit by its checkbox, see the count, submit, and the period's shifts / the
plan's venues are exactly those. With SCREENSHOT_DIR set, each form is saved there."""

import os
from pathlib import Path

import pytest

from tests.browser.helpers import login
from tests.factories.checklists import ChecklistTemplateFactory
from tests.factories.duty import next_monday
from vcassure.accounts.models import Role
from vcassure.duty.models import Shift, SpecialPeriod
from vcassure.orgs.models import OrgUnit
from vcassure.routine.models import InspectionPlan
from vcassure.routine.selectors import plan_venues
from vcassure.venues.models import Venue

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def shot(page, name: str) -> None:
    folder = os.environ.get("SCREENSHOT_DIR")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


def fits(page) -> bool:
    return page.evaluate(
        "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    )


def test_special_period_form_with_the_picker(page, live_server, province):
    county = province.counties[0]
    login(page, live_server, province.user("county0").username)
    page.goto(f"{live_server.url}/duty/")
    start = next_monday()
    page.fill("#id_name", "汛期值守")
    page.fill("#id_starts_on", start.isoformat())
    page.fill("#id_ends_on", start.isoformat())
    page.select_option("#id_mode", "24x7")
    page.locator(".vp-unit", has_text=county.name).first.locator("input[type=checkbox]").check()
    page.wait_for_selector("[data-vp-total='2']")
    assert fits(page)
    shot(page, f"duty-period-form-{page.viewport_name}")
    page.click("button:has-text('创建并排班')")
    page.wait_for_selector("text=已创建特殊时期并排好班次")
    period = SpecialPeriod.objects.get()
    assert page.url == f"{live_server.url}/duty/periods/{period.pk}/"
    expected = set(Venue.objects.filter(org_unit__parent=county).values_list("pk", flat=True))
    assert {s.venue_id for s in Shift.objects.filter(period=period)} == expected


def test_inspection_plan_form_with_the_picker(page, live_server, province):
    template = ChecklistTemplateFactory(
        code="picker-inspection", name="会场巡检", kind="inspection", applies_to="inspection"
    )
    city = province.cities[1]
    login(page, live_server, province.user("province", Role.DISPATCHER).username)
    page.goto(f"{live_server.url}/routine/plans/")
    page.fill("#id_name", "二市水利巡检")
    page.select_option("#id_system", "water")
    page.locator(".vp-unit", has_text=city.name).first.locator("input[type=checkbox]").check()
    page.wait_for_selector("[data-vp-total='4']")
    page.select_option("#id_checklist_template", str(template.pk))
    assert fits(page)
    shot(page, f"routine-plan-form-{page.viewport_name}")
    page.click("button:has-text('创建计划')")
    page.wait_for_selector("text=巡检计划“二市水利巡检”已创建")
    plan = InspectionPlan.objects.get(name="二市水利巡检")
    chosen = set(plan_venues(plan).values_list("pk", flat=True))
    assert chosen == {v.pk for v in province.venues if city.pk in OrgUnit.path_ids(v.org_unit.path)}

"""The routine pages: plans (list and form), my inspections, the inspection card on the phone
with its checklist, overdue per unit; another county's inspection is a 404."""

from datetime import date, datetime

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from vcassure.accounts.models import Role
from vcassure.faults.models import Fault
from vcassure.routine.models import Inspection, InspectionPlan
from vcassure.routine.selectors import plan_venues
from vcassure.routine.services import inspections_generate


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def inspection(province, make_plan):
    make_plan()
    inspections_generate(day=date(2026, 10, 9))
    return Inspection.objects.get(venue=province.venues[0])


def test_a_dispatcher_creates_a_plan_on_the_page(province, dispatcher, inspection_template):
    client = logged_in(dispatcher)
    assert client.get(reverse("routine:plan_list")).status_code == 200
    response = client.post(
        reverse("routine:plan_list"),
        {
            "name": "每周一四巡检",
            "system": "water",
            "venues": f"{province.venues[0].pk},{province.venues[1].pk}",
            "frequency": "weekly",
            "weekdays": ["0", "3"],
            "working_days_only": "on",
            "checklist_template": inspection_template.pk,
            "due_time": "09:30",
        },
    )
    assert response.status_code == 302
    plan = InspectionPlan.objects.get(name="每周一四巡检")
    assert plan.weekdays == [0, 3]
    assert set(plan_venues(plan).values_list("pk", flat=True)) == {
        province.venues[0].pk,
        province.venues[1].pk,
    }
    page = client.get(reverse("routine:plan_list")).content.decode()
    assert "每周一四巡检" in page and "周一、周四" in page


def test_the_plan_form_uses_the_venue_picker_and_refuses_what_it_may_not_choose(
    province, dispatcher, inspection_template
):
    client = logged_in(dispatcher)
    page = client.get(reverse("routine:plan_list")).content.decode()
    assert "data-venue-picker" in page and 'name="org_units"' not in page
    base = {
        "name": "巡检",
        "system": "water",
        "frequency": "daily",
        "checklist_template": inspection_template.pk,
        "due_time": "09:30",
    }
    response = client.post(reverse("routine:plan_list"), {**base, "venues": "999999"})
    assert response.status_code == 400
    assert "所选会场中有不存在" in response.content.decode()
    response = client.post(reverse("routine:plan_list"), {**base, "venues": ""})
    assert response.status_code == 400 and "请选择会场" in response.content.decode()
    assert not InspectionPlan.objects.exists()


def test_a_weekly_plan_without_days_is_refused_on_the_page(
    province, dispatcher, inspection_template
):
    response = logged_in(dispatcher).post(
        reverse("routine:plan_list"),
        {
            "name": "每周巡检",
            "system": "water",
            "frequency": "weekly",
            "checklist_template": inspection_template.pk,
            "due_time": "09:30",
        },
    )
    assert response.status_code == 400
    assert "每周巡检请选择星期几。" in response.content.decode()
    assert not InspectionPlan.objects.exists()


def test_the_person_runs_the_inspection_on_the_card(province, inspection):
    client = logged_in(inspection.assignee.user)
    assert inspection.venue.name in client.get(reverse("routine:my_inspections")).content.decode()
    card = client.get(reverse("routine:inspection_card", args=[inspection.pk])).content.decode()
    assert "测量收光功率" in card and "收光功率：允许 -27 ~ -8 dBm" in card
    step = reverse("routine:inspection_step", args=[inspection.pk, 1])
    after = client.post(step, {"result": "pass"}, follow=True).content.decode()
    assert "已记录为通过" in after and 'name="reading"' in after
    step2 = reverse("routine:inspection_step", args=[inspection.pk, 2])
    response = client.post(step2, {"result": "pass", "reading": "-40"}, follow=True)
    assert "不通过，已登记故障" in response.content.decode()
    assert Fault.objects.get(subject=f"inspection:{inspection.pk}").severity == "minor"
    client.post(step2, {"result": "pass", "reading": "-20"})
    inspection.refresh_from_db()
    assert inspection.state == "done"


def test_another_countys_inspection_is_a_404(province, inspection):
    other = logged_in(province.user("county2", Role.DISPATCHER))
    assert other.get(reverse("routine:inspection_card", args=[inspection.pk])).status_code == 404
    step = reverse("routine:inspection_step", args=[inspection.pk, 1])
    assert other.post(step, {"result": "pass"}).status_code == 404
    colleague = logged_in(province.user("township1", Role.SUPPORT))
    assert (
        colleague.get(reverse("routine:inspection_card", args=[inspection.pk])).status_code == 404
    )


def test_overdue_inspections_are_listed_per_unit(province, inspection):
    client = logged_in(province.user("city0", Role.DISPATCHER))
    with time_machine.travel(timezone.make_aware(datetime(2026, 10, 9, 11)), tick=False):
        page = client.get(reverse("routine:overdue")).content.decode()
    assert province.townships[0].name in page and inspection.venue.name in page
    assert province.townships[4].name not in page  # another city's

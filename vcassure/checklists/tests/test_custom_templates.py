"""Custom checklist templates: built on a page by an administrator, picked by where they apply,
readings out of their range failing the step, and the R7/R8 defaults editable."""

from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories.checklists import ChecklistStepFactory, ChecklistTemplateFactory
from vcassure.accounts.models import Role
from vcassure.checklists.models import ChecklistTemplate, StepResult
from vcassure.checklists.selectors import templates_applying
from vcassure.checklists.services import checklist_run_start, step_record
from vcassure.core.errors import InvalidInputError
from vcassure.venues.models import CustomerSystem


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def builder_post(**overrides) -> dict:
    data = {
        "name": "水利日常巡检",
        "code": "water-daily",
        "kind": "inspection",
        "applies_to": "inspection",
        "system": "",
        "inspection_kind": "",
        "is_active": "on",
        "steps-TOTAL_FORMS": "3",
        "steps-INITIAL_FORMS": "0",
        "steps-MIN_NUM_FORMS": "0",
        "steps-MAX_NUM_FORMS": "30",
        "steps-0-title": "检查机柜电源",
        "steps-0-phase": "any",
        "steps-0-requires_photo": "on",
        "steps-1-title": "测量收光功率",
        "steps-1-phase": "any",
        "steps-1-reading_label": "收光功率",
        "steps-1-reading_unit": "dBm",
        "steps-1-reading_min": "-27",
        "steps-1-reading_max": "-8",
        "steps-2-title": "",
        "steps-2-phase": "any",
    }
    data.update(overrides)
    return data


@pytest.fixture
def admin(tree):
    return tree.user("province", Role.ADMIN)


@pytest.fixture
def reading_run(tree):
    template = ChecklistTemplateFactory(applies_to="inspection", kind="inspection")
    ChecklistStepFactory(
        template=template,
        number=1,
        title="测量收光功率",
        phase="any",
        reading_label="收光功率",
        reading_unit="dBm",
        reading_min=Decimal("-27"),
        reading_max=Decimal("-8"),
    )
    return checklist_run_start(
        template=template, subject="inspection:1", org_unit=tree.townships[0]
    )


def test_an_administrator_builds_a_template_on_the_page(admin):
    client = logged_in(admin)
    assert client.get(reverse("checklists:template_new")).status_code == 200
    response = client.post(reverse("checklists:template_new"), builder_post())
    template = ChecklistTemplate.objects.get(code="water-daily")
    assert response.status_code == 302
    steps = list(template.steps.all())
    assert [(s.number, s.title, s.requires_photo) for s in steps] == [
        (1, "检查机柜电源", True),
        (2, "测量收光功率", False),
    ]
    assert (steps[1].reading_min, steps[1].reading_max, steps[1].reading_unit) == (
        Decimal("-27"),
        Decimal("-8"),
        "dBm",
    )
    listing = client.get(reverse("checklists:template_list")).content.decode()
    assert "水利日常巡检" in listing and "分会场现场保障(四步法)" in listing


def test_the_builder_refuses_a_range_upside_down_and_writes_nothing(admin):
    client = logged_in(admin)
    response = client.post(
        reverse("checklists:template_new"),
        builder_post(**{"steps-1-reading_min": "-5", "steps-1-reading_max": "-20"}),
    )
    assert response.status_code == 400
    assert "第 2 步的读数下限 -5 大于上限 -20。" in response.content.decode()
    assert not ChecklistTemplate.objects.filter(code="water-daily").exists()


def test_only_administrators_build_templates(tree):
    client = logged_in(tree.user("county0", Role.DISPATCHER))
    assert client.get(reverse("checklists:template_list")).status_code == 403
    assert client.post(reverse("checklists:template_new"), builder_post()).status_code == 403


def test_the_r7_default_is_a_row_an_administrator_edits(admin):
    r7 = ChecklistTemplate.objects.get(code="venue-r7")
    client = logged_in(admin)
    page = client.get(reverse("checklists:template_edit", args=[r7.pk])).content.decode()
    assert "检查分会场机房及机柜电源供电情况" in page
    data = builder_post(
        name=r7.name, code="venue-r7", kind="venue", applies_to="meeting", inspection_kind=""
    )
    assert client.post(reverse("checklists:template_edit", args=[r7.pk]), data).status_code == 302
    assert [s.title for s in r7.steps.all()] == ["检查机柜电源", "测量收光功率"]


def test_a_reading_out_of_range_fails_its_step_with_a_clear_message(reading_run):
    record = step_record(reading_run, number=1, result="pass", reading="-30.5")
    assert record.result == StepResult.Result.FAIL
    assert record.reading == Decimal("-30.5")
    assert record.note == "收光功率 -30.5 dBm 超出允许范围（-27 至 -8 dBm）。"
    within = step_record(reading_run, number=1, result="pass", reading="-18,2")
    assert within.result == StepResult.Result.PASS and within.reading == Decimal("-18.2")


def test_a_step_that_asks_for_a_reading_needs_one(reading_run):
    with pytest.raises(InvalidInputError, match="此步骤需要填写读数：收光功率（dBm）。"):
        step_record(reading_run, number=1, result="pass")
    with pytest.raises(InvalidInputError, match="不是数字"):
        step_record(reading_run, number=1, result="pass", reading="很低")
    assert not StepResult.objects.exists()


def test_the_range_is_frozen_with_the_run(reading_run):
    reading_run.template.steps.update(reading_min=Decimal("-40"))
    assert step_record(reading_run, number=1, result="pass", reading="-30").result == "fail"


def test_the_most_specific_template_applies(db):
    water = CustomerSystem.objects.order_by("code").first()
    defaults = templates_applying(applies_to="meeting", importance="normal")
    assert [t.code for t in defaults] == ["venue-r7"]
    important = templates_applying(applies_to="meeting", importance="important")
    assert [t.code for t in important] == ["venue-r7", "fibre-r8"]
    own = ChecklistTemplateFactory(code="water-venue", kind="venue", system=water)
    assert [t.code for t in templates_applying(applies_to="meeting", system_id=water.pk)] == [
        own.code
    ]
    other = CustomerSystem.objects.exclude(pk=water.pk).first()
    assert [t.code for t in templates_applying(applies_to="meeting", system_id=other.pk)] == [
        "venue-r7"
    ]
    assert [t.code for t in templates_applying(applies_to="inspection")] == ["inspection-daily"]

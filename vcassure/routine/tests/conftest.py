"""A daily water inspection plan over the `province` fixture's eight township venues (primary:
the township's person, backup: a county regular), made by the province dispatcher."""

from datetime import date, time

import pytest

from tests.factories.checklists import ChecklistStepFactory, ChecklistTemplateFactory
from vcassure.accounts.models import Role
from vcassure.routine.services import inspection_plan_create


@pytest.fixture
def inspection_template(db):
    """Two steps: the cabinet's power, then the received optical power within −27…−8 dBm."""
    template = ChecklistTemplateFactory(
        code="test-inspection", name="会场巡检", kind="inspection", applies_to="inspection"
    )
    ChecklistStepFactory(template=template, number=1, title="检查机柜电源", phase="any")
    ChecklistStepFactory(
        template=template,
        number=2,
        title="测量收光功率",
        phase="any",
        reading_label="收光功率",
        reading_unit="dBm",
        reading_min=-27,
        reading_max=-8,
    )
    return template


@pytest.fixture
def dispatcher(province):
    return province.user("province", Role.DISPATCHER)


@pytest.fixture
def make_plan(province, dispatcher, inspection_template):
    def make(**overrides):
        fields = {
            "by": dispatcher,
            "name": "水利会场日常巡检",
            "system": "water",
            "frequency": "daily",
            "due_time": time(10, 0),
            "checklist_template": inspection_template.code,
            "venue_filter": {"levels": ["township"], "org_units": []},
            "starts_on": date(2026, 1, 1),
        }
        fields.update(overrides)
        return inspection_plan_create(**fields)

    return make

"""A daily inspection plan over the `province` fixture's township venues and its inspections of
one day, for the apps that read routine work (reports, home, duty's agenda)."""

from datetime import date, time

from tests.factories.checklists import ChecklistTemplateFactory
from vcassure.accounts.models import Role
from vcassure.routine.models import Inspection
from vcassure.routine.services import inspection_plan_create, inspections_generate


def daily_plan(province, *, due_time: time = time(10, 0), **overrides):
    template = ChecklistTemplateFactory(
        code=overrides.pop("template_code", "factory-inspection"),
        name="会场巡检",
        kind="inspection",
        applies_to="inspection",
    )
    fields = {
        "by": province.user("province", Role.DISPATCHER),
        "name": "水利会场日常巡检",
        "system": "water",
        "frequency": "daily",
        "due_time": due_time,
        "checklist_template": template.code,
        "venue_filter": {"levels": ["township"], "org_units": []},
        "starts_on": date(2026, 1, 1),
        "working_days_only": False,
    }
    fields.update(overrides)
    return inspection_plan_create(**fields)


def inspections_on(province, day: date, **plan_overrides) -> list[Inspection]:
    """A daily plan's inspections of `day` (one per township venue)."""
    plan = daily_plan(province, **plan_overrides)
    inspections_generate(day=day)
    return list(Inspection.objects.filter(plan=plan, scheduled_on=day))

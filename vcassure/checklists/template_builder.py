"""Checklist templates as data (C9): an administrator's template with its steps (photo, reading
and its allowed range, phase), checked whole and saved in one transaction; the runs already
started keep their frozen copy of the steps."""

from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from vcassure.accounts.types import UserLike
from vcassure.checklists.models import (
    ChecklistStep,
    ChecklistTemplate,
)
from vcassure.core.errors import InvalidInputError
from vcassure.core.services import audit_record

MAX_STEPS = 30


def number_text(value: Decimal | None) -> str:
    if value is None:
        return ""
    text = format(value.normalize(), "f")
    return text


def _template_errors(
    *, code: str, name: str, importances: list[str], steps: list[dict], template
) -> list[dict]:
    from vcassure.checklists.models import IMPORTANCE_VALUES

    errors: list[dict] = []
    if not name.strip():
        errors.append({"field": "name", "message": _("请填写模板名称。")})
    if not code.strip():
        errors.append({"field": "code", "message": _("请填写模板代码。")})
    elif (
        ChecklistTemplate.objects.filter(code=code)
        .exclude(pk=template.pk if template is not None else 0)
        .exists()
    ):
        errors.append(
            {"field": "code", "message": _("代码“%(c)s”已被其他模板使用。") % {"c": code}}
        )
    bad = [i for i in importances if i not in IMPORTANCE_VALUES]
    if bad:
        errors.append({"field": "importances", "message": _("无效的会议重要性。")})
    if not steps:
        errors.append({"field": "steps", "message": _("模板至少要有一个步骤。")})
    if len(steps) > MAX_STEPS:
        errors.append(
            {"field": "steps", "message": _("步骤不能超过 %(n)s 个。") % {"n": MAX_STEPS}}
        )
    for number, step in enumerate(steps, start=1):
        if not str(step.get("title", "")).strip():
            errors.append(
                {"field": "steps", "message": _("第 %(n)s 步缺少步骤名称。") % {"n": number}}
            )
        low, high = step.get("reading_min"), step.get("reading_max")
        label = str(step.get("reading_label", "")).strip()
        if (low is not None or high is not None or step.get("reading_unit")) and not label:
            errors.append(
                {
                    "field": "steps",
                    "message": _("第 %(n)s 步填写了读数范围或单位，请同时填写读数名称。")
                    % {"n": number},
                }
            )
        if low is not None and high is not None and low > high:
            errors.append(
                {
                    "field": "steps",
                    "message": _("第 %(n)s 步的读数下限 %(low)s 大于上限 %(high)s。")
                    % {"n": number, "low": number_text(low), "high": number_text(high)},
                }
            )
    return errors


@transaction.atomic
def checklist_template_save(
    *,
    by: "UserLike",
    template: ChecklistTemplate | None = None,
    code: str,
    name: str,
    kind: str,
    applies_to: str,
    system=None,
    importances: list[str] | None = None,
    inspection_kind: str = "",
    is_active: bool = True,
    steps: list[dict],
) -> ChecklistTemplate:
    """Create or edit a template with its steps (numbered 1… in the order given). Runs already
    started keep the steps frozen on them; only runs started later see the edit."""
    importances = list(importances or [])
    errors = _template_errors(
        code=code, name=name, importances=importances, steps=steps, template=template
    )
    if errors:
        raise InvalidInputError(errors[0]["message"], errors=errors)
    before = None
    if template is None:
        template = ChecklistTemplate(code=code)
    else:
        template = ChecklistTemplate.objects.select_for_update().get(pk=int(template.pk))
        before = {"name": template.name, "steps": template.steps.count()}
    template.code, template.name, template.kind = code.strip(), name.strip(), kind
    template.applies_to, template.system = applies_to, system
    template.importances, template.inspection_kind = importances, inspection_kind.strip()
    template.is_active = is_active
    template.save()
    # Nothing refers to a template's step rows (results point to the run's frozen steps), so an
    # edit simply replaces them.
    template.steps.all().delete()
    ChecklistStep.objects.bulk_create(
        ChecklistStep(
            template=template,
            number=number,
            title=str(s["title"]).strip()[:200],
            guidance=str(s.get("guidance", "")).strip(),
            phase=s.get("phase") or ChecklistStep.Phase.ANY,
            requires_photo=bool(s.get("requires_photo")),
            reading_label=str(s.get("reading_label", "")).strip()[:40],
            reading_unit=str(s.get("reading_unit", "")).strip()[:12],
            reading_min=s.get("reading_min"),
            reading_max=s.get("reading_max"),
        )
        for number, s in enumerate(steps, start=1)
    )
    audit_record(
        actor=by,
        action="checklist.template_saved",
        obj=template,
        changes={"before": before, "code": template.code, "steps": len(steps)},
    )
    return template

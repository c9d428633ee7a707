"""Creating an inspection plan: validated at the edge, written in one transaction."""

from datetime import date, time

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from vcassure.accounts.types import UserLike, actor
from vcassure.checklists.models import ChecklistTemplate
from vcassure.core import clock
from vcassure.core.errors import InvalidInputError
from vcassure.core.services import audit_record
from vcassure.orgs.models import OrgUnit
from vcassure.orgs.scoping import scope_unit, sees_everything
from vcassure.routine.models import InspectionPlan
from vcassure.routine.permissions import can_manage_plans
from vcassure.routine.selectors import plan_venues
from vcassure.venues.models import CustomerSystem, Venue

LEVELS = {c for c, _label in OrgUnit.Level.choices}


def _owner(user: UserLike) -> OrgUnit | None:
    if sees_everything(user):
        return OrgUnit.objects.filter(parent__isnull=True).order_by("code").first()
    return scope_unit(user)


@transaction.atomic
def inspection_plan_create(
    *,
    by: UserLike,
    name: str,
    system: str,
    frequency: str,
    due_time: time | None,
    checklist_template: str | int | None = None,
    venues: list[int] | None = None,
    venue_filter: dict | None = None,
    weekdays: list[int] | None = None,
    month_day: int | None = None,
    working_days_only: bool = True,
    starts_on: date | None = None,
) -> InspectionPlan:
    """A plan for the caller's unit. Every problem is reported at once (field + Chinese message);
    nothing is written unless all is well."""
    if not can_manage_plans(by):
        raise PermissionDenied(_("只有管理员、调度员和部门负责人可以制定巡检计划。"))
    errors: list[dict] = []

    def err(field: str, message: str) -> None:
        errors.append({"field": field, "message": message})

    owner = _owner(by)
    if owner is None:
        err("org_unit", _("您的账号未关联组织单元，不能制定巡检计划。"))
    if not name.strip():
        err("name", _("请填写计划名称。"))
    found_system = CustomerSystem.objects.filter(code=system).first()
    if found_system is None:
        err("system", _("系统“%(s)s”不存在。") % {"s": system})
    if frequency not in InspectionPlan.Frequency.values:
        err("frequency", _("频次只能是每天、每周或每月。"))
    weekdays = sorted(set(weekdays or []))
    if frequency == InspectionPlan.Frequency.WEEKLY:
        if not weekdays:
            err("weekdays", _("每周巡检请选择星期几。"))
        elif any(not isinstance(d, int) or not 0 <= d <= 6 for d in weekdays):
            err("weekdays", _("星期只能是 0（周一）到 6（周日）。"))
    if frequency == InspectionPlan.Frequency.MONTHLY and not (
        isinstance(month_day, int) and 1 <= month_day <= 31
    ):
        err("month_day", _("每月巡检请填写 1 到 31 号中的一天。"))
    if due_time is None:
        err("due_time", _("请填写每天的完成时限，例如 10:00。"))
    template = None
    if checklist_template in (None, ""):
        err("checklist_template", _("请选择检查模板。"))
    else:
        lookup = (
            {"pk": checklist_template}
            if isinstance(checklist_template, int)
            else {"code": checklist_template}
        )
        template = ChecklistTemplate.objects.filter(is_active=True, **lookup).first()
        if template is None:
            err("checklist_template", _("检查模板不存在或已停用。"))
    if venues and venue_filter:
        err("venue_filter", _("请只使用 venues 或 venue_filter 其中之一。"))
    elif not venues and not venue_filter:
        err("venues", _("请选择会场，或按层级和范围选择。"))
    if venue_filter:
        levels = venue_filter.get("levels") or []
        if any(lv not in LEVELS for lv in levels):
            err("venue_filter", _("层级无效。"))
        units = venue_filter.get("org_units") or []
        seen = OrgUnit.objects.visible_to(by).filter(pk__in=units).count()
        if seen != len(set(units)):
            err("venue_filter", _("所选范围中有不存在或不在您辖区内的单位。"))
    chosen: list[int] = []
    if venues and found_system is not None:
        chosen = list(
            Venue.objects.visible_to(by)
            .filter(pk__in=venues, system=found_system, is_active=True)
            .values_list("pk", flat=True)
        )
        if len(chosen) != len(set(venues)):
            err("venues", _("所选会场中有不存在、已停用、不属于该系统或不在您辖区内的会场。"))
    if errors:
        raise InvalidInputError(errors[0]["message"], errors=errors)
    assert owner is not None and found_system is not None and template is not None
    assert due_time is not None
    plan = InspectionPlan.objects.create(
        name=name.strip()[:100],
        system=found_system,
        org_unit=owner,
        venue_filter=(
            {
                "levels": list(venue_filter.get("levels") or []),
                "org_units": list(venue_filter.get("org_units") or []),
            }
            if venue_filter
            else None
        ),
        frequency=frequency,
        weekdays=weekdays if frequency == InspectionPlan.Frequency.WEEKLY else [],
        month_day=month_day if frequency == InspectionPlan.Frequency.MONTHLY else None,
        working_days_only=working_days_only,
        checklist_template=template,
        due_time=due_time,
        starts_on=starts_on or clock.now().date(),
        created_by=actor(by),
    )
    if chosen:
        plan.venues.set(chosen)
    if not plan_venues(plan).exists():
        raise InvalidInputError(
            _("按所选条件没有找到会场。"),
            errors=[{"field": "venue_filter", "message": _("没有符合条件的会场。")}],
        )
    audit_record(actor=by, action="inspection_plan.create", obj=plan, changes={"name": plan.name})
    return plan
